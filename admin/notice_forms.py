"""Forms of the notice pages: topics residents subscribe to, and notices."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from admin.filters import JST
from admin.forms import REQUIRED
from notices.service import MAX_TEXT as MAX_NOTICE_TEXT
from notices.service import MAX_TITLE, Draft
from notices.subscriptions import MAX_TOPIC_NAME


class TopicForm(FlaskForm):
    name = StringField("分野名", validators=[
        DataRequired(REQUIRED), Length(max=MAX_TOPIC_NAME, message=f"{MAX_TOPIC_NAME}文字までです（LINEのボタンに表示されます）。")])
    description = StringField("説明（任意）", validators=[Length(max=200, message="200文字までです。")])
    active = BooleanField("配信中（住民が選べる）", default=True)


class NoticeForm(FlaskForm):
    title = StringField("件名", validators=[DataRequired(REQUIRED), Length(max=MAX_TITLE, message=f"{MAX_TITLE}文字までです。")])
    text = TextAreaField("本文", validators=[DataRequired(REQUIRED), Length(max=MAX_NOTICE_TEXT, message=f"{MAX_NOTICE_TEXT}文字までです。")])
    url = StringField("詳しいページのURL（任意）", validators=[Length(max=1000)])
    image_url = StringField("画像のURL（任意、https://）", validators=[Length(max=1000)])
    topics = SelectMultipleField("配信する分野", coerce=int, widget=ListWidget(prefix_label=False),
                                 option_widget=CheckboxInput(),
                                 validators=[DataRequired("配信する分野を1つ以上選んでください。")])
    send_at = DateTimeLocalField("配信日時（空欄なら承認後すぐ）", format="%Y-%m-%dT%H:%M", validators=[Optional()])

    def draft(self) -> Draft:
        send_at = self.send_at.data.replace(tzinfo=JST) if self.send_at.data else None
        return Draft(title=self.title.data or "", text=self.text.data or "", topic_ids=list(self.topics.data or []),
                     url=self.url.data or "", image_url=self.image_url.data or "", send_at=send_at)
