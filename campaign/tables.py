"""Imports every table so SQLModel.metadata (and Alembic) knows them all."""

from sqlmodel import SQLModel

from campaign.models import AuditEvent, Campaign, LoginFailure, SmsMessage, User

metadata = SQLModel.metadata

__all__ = ["AuditEvent", "Campaign", "LoginFailure", "SmsMessage", "User", "metadata"]
