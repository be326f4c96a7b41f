"""Two tables: a user writes many notes."""

from datetime import datetime, timezone

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db, login_manager


# --8<-- [start:models]
class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(30), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    notes: Mapped[list["Note"]] = relationship(back_populates="author")

    def set_password(self, password):
        # PBKDF2, Werkzeug's other method, as in the users chapter.
        self.password_hash = generate_password_hash(password, method="pbkdf2")

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)


class Note(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(String(2000))
    created: Mapped[datetime] = mapped_column(default=lambda: datetime.now(timezone.utc))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    author: Mapped[User] = relationship(back_populates="notes")


# --8<-- [end:models]


@login_manager.user_loader
def load_user(user_id):
    return db.session.get(User, int(user_id))
