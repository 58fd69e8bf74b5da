/* Capture page: webcam preview -> snapshot -> upload, drag-and-drop, progress while the model reads. */
(function () {
  "use strict";

  const root = document.getElementById("capture");
  if (!root) return;

  const byId = (id) => document.getElementById(id);
  const apiUrl = root.dataset.apiUrl;
  const maxBytes = Number(root.dataset.maxBytes || 0);
  const card = byId("camera-card");
  const video = byId("camera-video");
  const canvas = byId("camera-canvas");
  const preview = byId("snapshot-preview");
  const placeholder = byId("camera-placeholder");
  const startButton = byId("camera-start");
  const snapButton = byId("camera-snap");
  const cameraMessage = byId("camera-message");
  const form = byId("upload-form");
  const fileInput = byId("image-input");
  const dropZone = byId("drop-zone");
  const fileLabel = byId("drop-zone-file");
  const progress = byId("capture-progress");
  const progressText = byId("capture-progress-text");
  const progressBar = byId("capture-progress-bar");
  const FINAL = new Set(["done", "no_face", "failed"]);
  // After this long the result page takes over the waiting (it keeps polling, more gently).
  const HAND_OVER_AFTER_MS = 30000;

  let stream = null;
  let busy = false;

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  function setState(state, message) {
    root.dataset.state = state;
    if (message !== undefined) cameraMessage.textContent = message;
  }

  function csrfToken() {
    const input = form.querySelector("[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function showError(message) {
    let box = byId("capture-error");
    if (!box) {
      box = document.createElement("div");
      box.id = "capture-error";
      box.className = "message message-error capture-error";
      box.setAttribute("role", "alert");
      root.parentNode.insertBefore(box, root);
    }
    box.textContent = message;
  }

  function clearError() {
    const box = byId("capture-error");
    if (box) box.remove();
  }

  function showProgress(text, percent) {
    progress.hidden = false;
    progressText.textContent = text;
    if (percent === null) {
      progressBar.removeAttribute("value");
    } else {
      progressBar.value = percent;
    }
  }

  function fail(message) {
    busy = false;
    progress.hidden = true;
    setState(stream ? "live" : "idle");
    showError(message);
  }

  /* Camera */

  function stopCamera() {
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    video.srcObject = null;
    snapButton.disabled = true;
    startButton.textContent = "Turn on camera";
  }

  function noCamera(message) {
    stopCamera();
    startButton.disabled = true;
    setState("no-camera", message);
  }

  async function startCamera() {
    if (!window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      noCamera("This browser can't open a camera on this page. Upload a photo or pick how you feel instead.");
      return;
    }
    clearError();
    startButton.disabled = true;
    setState("starting", "Asking for your camera… allow it in your browser's prompt.");
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: 1280 }, height: { ideal: 720 }, facingMode: "user" },
        audio: false,
      });
    } catch (error) {
      startButton.disabled = false;
      if (error.name === "NotAllowedError" || error.name === "SecurityError") {
        setState("denied", "Camera access was blocked. Allow the camera in your browser's site settings and try again, or upload a photo instead.");
      } else if (["NotFoundError", "OverconstrainedError", "DevicesNotFoundError"].includes(error.name)) {
        noCamera("We couldn't find a camera. Upload a photo or pick how you feel instead.");
      } else if (error.name === "NotReadableError") {
        setState("error", "Your camera is in use by another app. Close it and try again, or upload a photo.");
      } else {
        setState("error", "The camera couldn't start. Upload a photo or pick how you feel instead.");
      }
      return;
    }
    video.srcObject = stream;
    video.hidden = false;
    preview.hidden = true;
    placeholder.hidden = true;
    try {
      await video.play();
    } catch (error) {
      /* Autoplay of a muted stream is allowed; a refusal still leaves the frame usable. */
    }
    startButton.disabled = false;
    startButton.textContent = "Turn camera off";
    snapButton.disabled = false;
    setState("live", "Camera on. Look at the camera and press “Take snapshot”.");
    snapButton.focus();
  }

  function showSnapshot(blob) {
    preview.src = URL.createObjectURL(blob);
    preview.hidden = false;
    video.hidden = true;
  }

  function takeSnapshot() {
    if (!stream || !video.videoWidth || busy) return;
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    canvas.toBlob(
      (blob) => {
        if (!blob) {
          fail("The snapshot didn't work. Try again, or upload a photo.");
          return;
        }
        stopCamera();
        setState("snapshot", "Snapshot taken; the camera is off.");
        showSnapshot(blob);
        upload(blob, "snapshot.jpg", "webcam");
      },
      "image/jpeg",
      0.92,
    );
  }

  /* Upload and follow the analysis */

  async function follow(reading) {
    setState("analysing");
    const started = Date.now();
    while (!FINAL.has(reading.status) && Date.now() - started < HAND_OVER_AFTER_MS) {
      if (reading.status === "processing") {
        showProgress("Reading your expression…", 66);
      } else {
        showProgress("Photo received; waiting for the analyser…", 33);
      }
      await sleep(1000);
      try {
        const response = await fetch(reading.url, {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        });
        if (response.ok) reading = await response.json();
      } catch (error) {
        /* A network blip: keep waiting. */
      }
    }
    showProgress(FINAL.has(reading.status) ? "Done! Opening your result…" : "Still working; opening the result page…", 100);
    setState("done");
    window.location.assign(reading.page_url);
  }

  async function upload(file, name, source) {
    if (busy) return;
    if (maxBytes && file.size > maxBytes) {
      fail(`That photo is too big (${(file.size / 1048576).toFixed(1)} MB); the limit is ${Math.round(maxBytes / 1048576)} MB.`);
      return;
    }
    busy = true;
    clearError();
    setState("uploading");
    showProgress("Uploading your photo…", null);
    const body = new FormData();
    body.append("image", file, name);
    body.append("source", source);
    let response;
    let data = {};
    try {
      response = await fetch(apiUrl, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      });
      data = await response.json().catch(() => ({}));
    } catch (error) {
      fail("The upload didn't get through. Check your connection and try again.");
      return;
    }
    if (!response.ok) {
      fail(data.message || "Something went wrong. Please try again.");
      return;
    }
    await follow(data);
  }

  /* Wiring */

  card.hidden = false;
  if (!window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    noCamera("This browser can't open a camera on this page. Upload a photo or pick how you feel instead.");
  }
  startButton.addEventListener("click", () => (stream ? stopCamera() : startCamera()));
  snapButton.addEventListener("click", takeSnapshot);
  window.addEventListener("pagehide", stopCamera);

  fileInput.addEventListener("change", () => {
    const file = fileInput.files[0];
    fileLabel.textContent = file ? `Selected: ${file.name}` : "";
  });
  form.addEventListener("submit", (event) => {
    const file = fileInput.files[0];
    if (!file) return;
    event.preventDefault();
    upload(file, file.name, "upload");
  });

  ["dragenter", "dragover"].forEach((type) =>
    dropZone.addEventListener(type, (event) => {
      event.preventDefault();
      dropZone.classList.add("dragging");
    }),
  );
  ["dragleave", "drop"].forEach((type) =>
    dropZone.addEventListener(type, (event) => {
      event.preventDefault();
      dropZone.classList.remove("dragging");
    }),
  );
  dropZone.addEventListener("drop", (event) => {
    const file = event.dataTransfer && event.dataTransfer.files[0];
    if (!file) return;
    fileLabel.textContent = `Selected: ${file.name}`;
    upload(file, file.name, "upload");
  });
  // A photo dropped next to the zone should not make the browser navigate away to it.
  ["dragover", "drop"].forEach((type) => window.addEventListener(type, (event) => event.preventDefault()));
})();
