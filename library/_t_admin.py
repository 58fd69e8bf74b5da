from django.contrib import admin
from library.models import LibrarySync

class A(admin.TabularInline[LibrarySync, LibrarySync]):
    model = LibrarySync
    fields = readonly_fields = ["user", "status"]
