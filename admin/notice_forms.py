"""Forms of the notice pages: topics residents subscribe to, and notices."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length

from admin.forms import REQUIRED
from notices.subscriptions import MAX_TOPIC_NAME


class TopicForm(FlaskForm):
    name = StringField("分野名", validators=[
        DataRequired(REQUIRED), Length(max=MAX_TOPIC_NAME, message=f"{MAX_TOPIC_NAME}文字までです（LINEのボタンに表示されます）。")])
    description = StringField("説明（任意）", validators=[Length(max=200, message="200文字までです。")])
    active = BooleanField("配信中（住民が選べる）", default=True)
