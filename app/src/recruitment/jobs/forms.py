from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from .models import Resume


class ResumeForm(forms.ModelForm):
    class Meta:
        model = Resume
        fields = [
            "name",
            "phone",
            "email",
            "city",
            "gender",
            "born_address",
            "bachelor_school",
            "master_school",
            "doctor_school",
            "major",
            "degree",
            "candidate_introduction",
            "work_experience",
            "project_experience",
            "photo",
            "attachment",
        ]
        widgets = {
            "candidate_introduction": forms.Textarea(attrs={"rows": 4}),
            "work_experience": forms.Textarea(attrs={"rows": 6}),
            "project_experience": forms.Textarea(attrs={"rows": 6}),
            "photo": forms.ClearableFileInput(attrs={"accept": "image/*"}),
            "attachment": forms.ClearableFileInput(attrs={"accept": ".pdf,.docx"}),
        }

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip().replace(" ", "")
        digits = phone[1:] if phone.startswith("+") else phone
        if not digits.replace("-", "").isdigit() or not 6 <= len(digits) <= 20:
            raise forms.ValidationError(_("Enter a valid phone number."), code="invalid_phone")
        return phone


class SignUpForm(UserCreationForm):
    email = forms.EmailField(label=_("Email"), required=True)

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")
