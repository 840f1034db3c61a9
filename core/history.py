"""django-simple-history's ``HistoricalRecords``, with each model's history manager class made once.

The library's descriptor behind ``instance.history`` (and ``Model.history``) builds a new
manager class on every access (``HistoryManager.from_queryset``, which walks the queryset
class with ``inspect``), and writing a history row reads it: on this portal that was about
a twentieth of posting a comment, whose comment and response each write one. The class it
builds depends only on the model, so it is built once per model here; each access still
gets its own manager, bound to the instance, as before.

Every model with a history uses this class (``from core.history import HistoricalRecords``);
what is kept and how is the library's.
"""

from simple_history.manager import HistoryDescriptor
from simple_history.models import HistoricalRecords as LibraryHistoricalRecords


class _OneClassHistoryDescriptor(HistoryDescriptor):
    def __init__(self, model, manager, queryset):
        super().__init__(model, manager=manager, queryset=queryset)
        self._manager_class = manager.from_queryset(queryset)

    def __get__(self, instance, owner):
        return self._manager_class(self.model, instance)


class HistoricalRecords(LibraryHistoricalRecords):
    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        descriptor = sender.__dict__.get(self.manager_name)
        if type(descriptor) is HistoryDescriptor:
            setattr(
                sender,
                self.manager_name,
                _OneClassHistoryDescriptor(
                    descriptor.model,
                    manager=descriptor.manager_class,
                    queryset=descriptor.queryset_class,
                ),
            )
