"""Errors of call tracking with their own stable codes (the Fone dialect shows them as its
``ErrorCode``: ``PARAMETER_REQUIRED``, ``NUMBER_BELONGS_TO_DIFFERENT_PROPERTY``)."""

from __future__ import annotations

from trunkline.domain.errors import InvalidParameter


class ParameterRequired(InvalidParameter):
    code = "parameter-required"


class NumberInOtherProperty(InvalidParameter):
    code = "number-belongs-to-different-property"


class PropertyExists(InvalidParameter):
    status = 409
    code = "property-exists"
