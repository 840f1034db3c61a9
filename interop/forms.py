from django import forms
from django.utils.translation import gettext_lazy as _


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Document"),
        help_text=_(
            "A Word document (.docx), or Akoma Ntoso: one .xml document, or a .zip with one "
            "document per language. At most 10 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".docx,.xml,.zip"}),
    )


class ConfirmForm(forms.Form):
    """Confirming an import; a new draft also needs its title and address."""

    title_en = forms.CharField(label=_("Title (English)"), max_length=300, required=False)
    title_km = forms.CharField(
        label=_("Title (Khmer)"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"lang": "km"}),
    )
    slug = forms.SlugField(
        label=_("Address"),
        max_length=80,
        required=False,
        help_text=_("The draft's address in the portal; made from the title when left empty."),
    )
