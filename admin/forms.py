"""Forms of the admin pages (Flask-WTF: every POST form carries a CSRF token)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, PasswordField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import URL, DataRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from admin.accounts import MIN_PASSWORD_LENGTH, ROLE_LABELS
from faq.entries import TRANSLATION_FIELDS, TRANSLATION_LABELS, EntryRow, split_alternates

REQUIRED = "入力してください。"
ROLE_CHOICES = [(role, label) for role, label in ROLE_LABELS.items()]


class LoginForm(FlaskForm):
    username = StringField("ユーザー名", validators=[DataRequired(REQUIRED)])
    password = PasswordField("パスワード", validators=[DataRequired(REQUIRED)])


class EntryForm(FlaskForm):
    faq_id = StringField("FAQ番号", validators=[
        DataRequired(REQUIRED), Length(max=64, message="64文字までです。"),
        Regexp(r"^[\w\-.]+$", message="英数字・ハイフン・ピリオド・アンダースコアで入力してください。")])
    category = StringField("分類", validators=[Length(max=200)])
    question = TextAreaField("質問（表題）", validators=[DataRequired(REQUIRED)])
    alternates = TextAreaField("言い換え（1行に1つ）")
    answer = TextAreaField("回答（空欄なら「回答未入力」）")
    url = StringField("詳しいページのURL", validators=[
        Optional(), URL(message="http:// または https:// で始まるURLを入力してください。"), Length(max=1000)])
    department = StringField("担当課", validators=[Length(max=200)])

    def row(self) -> EntryRow:
        """The entry as typed (faq.entries validates and trims it)."""
        return EntryRow(faq_id=self.faq_id.data or "", category=self.category.data or "",
                        question=self.question.data or "", alternates=split_alternates(self.alternates.data or ""),
                        answer=self.answer.data or "", url=self.url.data or "",
                        department=self.department.data or "",
                        translations={name: self[name].data or "" for name in TRANSLATION_FIELDS})

    def translation_fields(self) -> list:
        return [self[name] for name in TRANSLATION_FIELDS]


# One text area per translation (question_en, answer_en, …, answer_easy), as the CSV has a column each.
for _name in TRANSLATION_FIELDS:
    setattr(EntryForm, _name, TextAreaField(TRANSLATION_LABELS[_name]))


class ImportForm(FlaskForm):
    file = FileField("FAQ の CSV ファイル", validators=[
        FileRequired("ファイルを選んでください。"),
        FileAllowed(["csv", "txt"], "CSV ファイル（.csv）を選んでください。")])
    replace = BooleanField("CSV にない FAQ は削除する（全件置き換え。履歴から復元できます）")


class JudgedLogForm(FlaskForm):
    file = FileField("判定済みのログ", validators=[
        FileRequired("ファイルを選んでください。"),
        FileAllowed(["csv", "txt", "xlsx"],
                    "CSV（.csv）、Unicode テキスト（.txt）、Excel ブック（.xlsx）のいずれかを選んでください。")])


class SynonymForm(FlaskForm):
    term = StringField("言い方", validators=[DataRequired(REQUIRED), Length(max=100)])
    canonical = StringField("正式な言葉", validators=[DataRequired(REQUIRED), Length(max=100)])


class UserForm(FlaskForm):
    username = StringField("ユーザー名", validators=[DataRequired(REQUIRED), Length(max=100)])
    password = PasswordField("初期パスワード", validators=[
        DataRequired(REQUIRED), Length(min=MIN_PASSWORD_LENGTH, message=f"{MIN_PASSWORD_LENGTH}文字以上にしてください。")])
    role = SelectField("役割", choices=ROLE_CHOICES)


class RoleForm(FlaskForm):
    role = SelectField("役割", choices=ROLE_CHOICES)


class PasswordForm(FlaskForm):
    password = PasswordField("新しいパスワード", validators=[
        DataRequired(REQUIRED), Length(min=MIN_PASSWORD_LENGTH, message=f"{MIN_PASSWORD_LENGTH}文字以上にしてください。")])


class DepartmentsForm(FlaskForm):
    """An editor's departments: a checkbox for each department of the FAQ (and each she has)."""

    class Meta:
        # One form per user on the page, prefixed; CSRFProtect still checks the page's token on
        # every POST (admin/__init__.py), so the form needs no prefixed token of its own.
        csrf = False

    departments = SelectMultipleField("担当課", choices=[], validate_choice=False,
                                      widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())

    def validate_departments(self, field) -> None:
        offered = {value for value, _ in field.choices}
        unknown = [name for name in field.data or [] if name not in offered]
        if unknown:  # WTForms' own message is English
            raise ValidationError(f"担当課「{unknown[0]}」は選べません（FAQ にない担当課です）。ページを開き直してください。")
