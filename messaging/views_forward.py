"""Conversation Options > Forward Conversation: the window, and sending it."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from accounts.types import AuthedRequest
from conversations.reply_options import sender_choices
from conversations.selectors import access_conversation
from messaging.email_templates import forwarding_template_choices
from messaging.forwarding import FORWARD_ATTACHMENTS_MAX, conversation_forward, forwardable_attachments
from messaging.models_templates import EmailTemplate

TEMPLATE = "messaging/forward_window.html"


class ForwardForm(forms.Form):
    from_address = forms.ChoiceField(label="From", choices=sender_choices)
    to = forms.CharField(
        label="To",
        max_length=5000,
        help_text="One or more addresses, separated by commas.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    template = forms.TypedChoiceField(
        label="Template",
        choices=lambda: [("", "None (plain transcript)"), *forwarding_template_choices()],
        coerce=int,
        empty_value=None,
        required=False,
    )
    intro = forms.CharField(
        label="Introductory message",
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown above the transcript.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def forward(request: AuthedRequest, conversation_id: int) -> HttpResponse:
    conversation = access_conversation(request.user, conversation_id)
    files = forwardable_attachments(conversation)
    initial = {"template": (forwarding_template_choices() or [("", "")])[0][0] or None}
    form = ForwardForm(request.POST if request.method == "POST" else None, initial=initial)
    chosen: set[int] = set()
    if request.method == "POST":
        chosen = {int(v) for v in request.POST.getlist("attachments") if v.isdigit()}
        if form.is_valid():
            data = form.cleaned_data
            try:
                done = conversation_forward(
                    actor=request.user,
                    conversation=conversation,
                    from_address=data["from_address"],
                    to=data["to"],
                    intro=data["intro"],
                    template=EmailTemplate.objects.filter(pk=data["template"]).first()
                    if data["template"]
                    else None,
                    attachments=[f for f in files if f.pk in chosen],
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except PermissionDenied as denied:
                form.add_error(None, str(denied))
            else:
                messages.success(request, f"The conversation is forwarded to {', '.join(done.to)}.")
                url = conversation.get_absolute_url()
                return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    context = {
        "conversation": conversation,
        "form": form,
        "files": files,
        "chosen": chosen,
        "limit": FORWARD_ATTACHMENTS_MAX,
    }
    if request.htmx:
        response = render(request, f"{TEMPLATE}#window", context)
        response["HX-Retarget"] = "#app-modal-body"
        response["HX-Reswap"] = "innerHTML"
        return response
    return render(request, TEMPLATE, context)
