"""Settings > Administration > Email Templates: list, add, edit (with a preview), delete."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import capability_required
from accounts.capabilities import Capability
from accounts.types import AuthedRequest
from core.forms import apply_errors
from core.paginate import paginate
from messaging import email_templates as services
from messaging.models_templates import EMAIL_TEMPLATE_NAME_MAX, MESSAGE_SLOT, EmailTemplate

SETTINGS = (Capability.SETTINGS_ACCESS, Capability.MANAGE_WORKSPACE)
SAMPLE_MESSAGE = "<p>Hi there,</p><p>This is where the agent's reply goes.</p>"
STARTER = (
    '<div style="font-family: Arial, sans-serif; color: #1d2330;">\n'
    f"  {MESSAGE_SLOT}\n"
    '  <p style="color: #667085; font-size: 12px;">[[sn.signoff]] The Support Team</p>\n'
    "</div>"
)


class EmailTemplateForm(forms.Form):
    name = forms.CharField(max_length=EMAIL_TEMPLATE_NAME_MAX)
    purpose = forms.ChoiceField(
        label="Used for",
        choices=EmailTemplate.Purpose.choices,
        initial=EmailTemplate.Purpose.REPLY,
        required=False,  # chosen when the template is added; it stays what it was
        widget=forms.RadioSelect,
        help_text="Reply templates wrap email replies; Email Forwarding ones wrap forwarded conversations.",
    )
    oldest_first = forms.BooleanField(
        label="List the oldest message first (forwarding)",
        required=False,
        help_text="A forwarded transcript lists the most recent message first unless this is on.",
    )
    html = forms.CharField(
        label="Body",
        strip=False,
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false", "class": "code"}),
        help_text=f"HTML. {MESSAGE_SLOT} is where the reply goes; dynamic text such as "
        "{{customer.firstName}} and snippets such as [[sn.name]] (in the customer's language) work too.",
    )
    is_default = forms.BooleanField(label="Default template", required=False)


def _access(template_id: int) -> EmailTemplate:
    template = EmailTemplate.objects.filter(pk=template_id).first()
    if template is None:
        raise Http404
    return template


@capability_required(*SETTINGS)
@require_GET
def template_list(request: AuthedRequest) -> HttpResponse:
    page = paginate(request, EmailTemplate.objects.order_by("purpose", "name"))
    context = {"page": page, "templates": page.object_list, "settings_active": "email_templates"}
    return render(request, "messaging/email_template_list.html", context)


@capability_required(*SETTINGS)
@require_http_methods(["GET", "POST"])
def template_form(request: AuthedRequest, template_id: int | None = None) -> HttpResponse:
    template = _access(template_id) if template_id is not None else None
    initial = (
        {
            "name": template.name,
            "html": template.html,
            "is_default": template.is_default,
            "purpose": template.purpose,
            "oldest_first": template.oldest_first,
        }
        if template
        else {"html": STARTER}
    )
    form = EmailTemplateForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            data = {
                **form.cleaned_data,
                "purpose": form.cleaned_data["purpose"] or EmailTemplate.Purpose.REPLY,
            }
            if template is None:
                template = services.email_template_create(actor=request.user, **data)
            else:
                template = services.email_template_update(
                    actor=request.user, template=template, **form.cleaned_data
                )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Email template “{template.name}” is saved.")
            return redirect("messaging:email_template_edit", template.pk)
    context = {"form": form, "template": template, "slot": MESSAGE_SLOT, "settings_active": "email_templates"}
    return render(request, "messaging/email_template_form.html", context)


@capability_required(*SETTINGS)
@require_GET
def template_preview(request: AuthedRequest, template_id: int) -> HttpResponse:
    """The template around a sample reply, for the preview frame. It is the admin's own HTML
    (inline styles and all), so it is served apart, sandboxed: no script runs, nothing loads
    but images, and it can't reach the app's cookies or pages."""
    template = _access(template_id)
    html = services.render_email_html(template, SAMPLE_MESSAGE, conversation=None, user=request.user)
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; sandbox"
    )
    response["X-Frame-Options"] = "SAMEORIGIN"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@capability_required(*SETTINGS)
@require_http_methods(["GET", "POST"])
def template_delete(request: AuthedRequest, template_id: int) -> HttpResponse:
    template = _access(template_id)
    if request.method == "POST":
        try:
            services.email_template_delete(actor=request.user, template=template)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("messaging:email_template_edit", template.pk)
        messages.success(request, f"Email template “{template.name}” is deleted.")
        return redirect("messaging:email_template_list")
    context = {"template": template, "settings_active": "email_templates"}
    return render(request, "messaging/email_template_delete.html", context)
