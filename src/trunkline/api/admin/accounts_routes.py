"""Admin API for accounts: list, create and delete them; add, rotate and revoke their credentials;
add and remove their ExoPhones. Every rule is ``AccountService``'s, which ``trunkline accounts`` asks
too; these routes only translate JSON. A token is in an answer only when it was just made (create,
add, rotate): it is stored hashed and never shown again."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from trunkline.api.admin.bodies import (
    AccountBody,
    AccountsAnswer,
    CreatedAccountAnswer,
    CredentialAnswer,
    DeletedAnswer,
    ExophonesAnswer,
    RevokedAnswer,
)
from trunkline.api.admin.dependencies import PREFIX, Admin
from trunkline.services.accounts import Account, Credential, CredentialInfo

router = APIRouter(prefix=PREFIX, tags=["admin: accounts"])


class NewAccount(BaseModel):
    sid: str = Field(description="Account SID: 1-64 letters, digits, '_' or '-'.", max_length=64)
    name: str = Field("", max_length=200, description="Display name; the SID when empty.")
    api_key: str | None = Field(None, max_length=128, description="API key; generated when omitted.")
    api_token: str | None = Field(None, max_length=200, description="API token; generated when omitted.")
    exophones: list[str] = Field(
        default_factory=list, max_length=100, description="ExoPhones; none may belong to another account."
    )


class NewCredential(BaseModel):
    api_key: str | None = Field(None, max_length=128, description="API key; generated when omitted.")
    api_token: str | None = Field(None, max_length=200, description="API token; generated when omitted.")


class NewToken(BaseModel):
    api_token: str | None = Field(None, max_length=200, description="The new token; generated when omitted.")


def account_json(account: Account, keys: list[CredentialInfo]) -> AccountBody:
    return {
        "sid": account.sid,
        "name": account.name,
        "exophones": list(account.exophones),
        "api_keys": [{"api_key": c.api_key, "created_at_ms": c.created_at} for c in keys],
    }


def credential_json(sid: str, credential: Credential) -> CredentialAnswer:
    return {"sid": sid, "api_key": credential.api_key, "api_token": credential.api_token}


@router.get(
    "/accounts",
    summary="Every account with its ExoPhones and API keys",
    operation_id="admin_accounts_list",
    response_model=AccountsAnswer,
)
def list_accounts(services: Admin) -> AccountsAnswer:
    accounts = services.accounts
    return {"accounts": [account_json(a, accounts.credentials(a.sid)) for a in accounts.all()]}


@router.post(
    "/accounts",
    status_code=201,
    summary="Create an account; its token is in this answer only",
    operation_id="admin_accounts_create",
    response_model=CreatedAccountAnswer,
)
def create_account(services: Admin, new: NewAccount) -> CreatedAccountAnswer:
    account, credential = services.accounts.create(
        new.sid,
        name=new.name,
        api_key=new.api_key,
        api_token=new.api_token,
        exophone_numbers=new.exophones,
    )
    return {
        **account_json(account, services.accounts.credentials(account.sid)),
        "api_token": credential.api_token,
    }


@router.get(
    "/accounts/{account_sid}",
    summary="One account",
    operation_id="admin_accounts_get",
    response_model=AccountBody,
)
def get_account(services: Admin, account_sid: str) -> AccountBody:
    account = services.accounts.get(account_sid)
    return account_json(account, services.accounts.credentials(account_sid))


@router.delete(
    "/accounts/{account_sid}",
    summary="Delete an account (with its calls and everything else it owns only when force=true)",
    operation_id="admin_accounts_delete",
    response_model=DeletedAnswer,
)
def delete_account(
    services: Admin,
    account_sid: str,
    force: Annotated[
        bool, Query(description="Also delete its calls, flows, agents, properties and generators.")
    ] = False,
) -> DeletedAnswer:
    services.accounts.delete(account_sid, force=force)
    return {"deleted": account_sid}


@router.post(
    "/accounts/{account_sid}/credentials",
    status_code=201,
    summary="Add a credential; its token is in this answer only",
    operation_id="admin_accounts_add_credential",
    response_model=CredentialAnswer,
)
def add_credential(services: Admin, account_sid: str, new: NewCredential | None = None) -> CredentialAnswer:
    new = new or NewCredential()
    credential = services.accounts.add_credential(account_sid, api_key=new.api_key, api_token=new.api_token)
    return credential_json(account_sid, credential)


@router.post(
    "/accounts/{account_sid}/credentials/{api_key}/rotate",
    summary="Give a credential a new token (in this answer only); the old one is refused within seconds",
    operation_id="admin_accounts_rotate_credential",
    response_model=CredentialAnswer,
)
def rotate_credential(
    services: Admin, account_sid: str, api_key: str, new: NewToken | None = None
) -> CredentialAnswer:
    credential = services.accounts.rotate_credential(account_sid, api_key, (new or NewToken()).api_token)
    return credential_json(account_sid, credential)


@router.delete(
    "/accounts/{account_sid}/credentials/{api_key}",
    summary="Revoke a credential (not the last one); it is refused within seconds",
    operation_id="admin_accounts_revoke_credential",
    response_model=RevokedAnswer,
)
def revoke_credential(services: Admin, account_sid: str, api_key: str) -> RevokedAnswer:
    services.accounts.revoke_credential(account_sid, api_key)
    return {"sid": account_sid, "revoked": api_key}


@router.put(
    "/accounts/{account_sid}/exophones/{number}",
    summary="Give the account an ExoPhone (409 when another account holds it)",
    operation_id="admin_accounts_add_exophone",
    response_model=ExophonesAnswer,
)
def add_exophone(services: Admin, account_sid: str, number: str) -> ExophonesAnswer:
    return {"sid": account_sid, "exophones": list(services.accounts.add_exophones(account_sid, [number]))}


@router.delete(
    "/accounts/{account_sid}/exophones/{number}",
    summary="Take an ExoPhone from the account, with its flow and tracking set-up",
    operation_id="admin_accounts_remove_exophone",
    response_model=ExophonesAnswer,
)
def remove_exophone(services: Admin, account_sid: str, number: str) -> ExophonesAnswer:
    return {"sid": account_sid, "exophones": list(services.accounts.remove_exophones(account_sid, [number]))}
