"""Static checks of `class` statements, methods, decorators and `super()` (the validator's
class half), from the one table of `class_rules.py`. Each refusal is one sentence.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from app.sandbox import class_rules
from app.sandbox.errors import SandboxViolation

Refuse = Callable[[ast.AST, str], SandboxViolation]
CheckName = Callable[[ast.AST, str], None]


def dotted(node: ast.expr) -> str | None:
    """`nn.Module` → "nn.Module"; None for anything but names and attributes."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def check_class(
    node: ast.ClassDef, nested: bool, allowed: set[int], refuse: Refuse, check_name: CheckName
) -> None:
    if nested:
        raise refuse(
            node,
            "a class can only be defined at the top level of the program or in a function.",
        )
    check_name(node, node.name)
    if node.keywords:
        raise refuse(
            node,
            "a class statement takes no keywords (metaclass=...) in the playground; "
            "name its base classes only.",
        )
    if node.decorator_list:
        raise refuse(
            node.decorator_list[0], "class decorators are not supported in the playground."
        )
    for base in node.bases:
        name = dotted(base)
        if name is None:
            raise refuse(
                base,
                "a base class must be a name: nn.Module, torch.autograd.Function, "
                "object or a class of the program.",
            )
        if name == "object" and isinstance(base, ast.Name):
            allowed.add(id(base))
    for statement in node.body:
        if isinstance(statement, ast.FunctionDef | ast.Pass):
            continue
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue  # a docstring
        if isinstance(statement, ast.Assign) and all(
            isinstance(target, ast.Name) for target in statement.targets
        ):
            _check_alias(statement, allowed, refuse)
            continue
        raise refuse(
            statement,
            f"a class body may only hold {class_rules.CLASS_BODY}.",
        )


def _check_alias(statement: ast.Assign, allowed: set[int], refuse: Refuse) -> None:
    """`__radd__ = __add__` in a class body: special methods of the table only."""
    for target in statement.targets:
        assert isinstance(target, ast.Name)
        if class_rules.is_dunder(target.id):
            if target.id not in class_rules.DEFINABLE_SPECIAL_METHODS:
                raise refuse(target, f"a class cannot define '{target.id}' in the playground.")
            allowed.add(id(target))
    value = statement.value
    if isinstance(value, ast.Name) and value.id in class_rules.DEFINABLE_SPECIAL_METHODS:
        allowed.add(id(value))


def is_special_method(node: ast.FunctionDef, refuse: Refuse) -> bool:
    """True for a definable special method; refuse any other dunder defined in a class."""
    name = node.name
    if not class_rules.is_dunder(name):
        return False
    if name not in class_rules.DEFINABLE_SPECIAL_METHODS:
        raise refuse(
            node,
            f"a class cannot define '{name}' in the playground; the special methods it may "
            f"define are {', '.join(sorted(class_rules.DEFINABLE_SPECIAL_METHODS))}.",
        )
    return True


def decorator_kind(node: ast.expr) -> str | None:
    """What a decorator is by the table ("staticmethod", "once_differentiable", "no_grad" ...)."""
    if isinstance(node, ast.Call):
        name = dotted(node.func)
        last = None if name is None else name.rsplit(".", 1)[-1]
        if last in class_rules.GRAD_MODE_DECORATORS and not node.args and not node.keywords:
            return last
        return None
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.attr in class_rules.PROPERTY_DECORATORS
    ):
        return node.attr  # `@x.setter`, x a property of the class body
    name = dotted(node)
    if name is None:
        return None
    if name in class_rules.METHOD_DECORATORS:
        return name
    last = name.rsplit(".", 1)[-1]
    return last if last in class_rules.FUNCTION_DECORATORS else None


def check_decorators(
    node: ast.FunctionDef, in_class: bool, allowed: set[int], refuse: Refuse
) -> None:
    for decorator in node.decorator_list:
        kind = decorator_kind(decorator)
        in_class_only = class_rules.METHOD_DECORATORS | class_rules.PROPERTY_DECORATORS
        if kind is None or (kind in in_class_only and not in_class):
            spelled = dotted(decorator.func if isinstance(decorator, ast.Call) else decorator)
            shown = f"@{spelled}" if spelled is not None else "this decorator"
            raise refuse(
                decorator,
                f"the decorator {shown} is not supported here; the playground accepts "
                "@staticmethod, @classmethod, @property and @<property>.setter in a class, and "
                "@once_differentiable, "
                "@torch.no_grad(), @torch.enable_grad() and @torch.inference_mode().",
            )
        if isinstance(decorator, ast.Name) and kind in class_rules.METHOD_DECORATORS:
            allowed.add(id(decorator))
    if node.returns is not None:
        raise refuse(node.returns, "annotations are not supported in the playground.")


def _on_super(node: ast.AST) -> bool:
    value = getattr(node, "value", None)
    return (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id == "super"
    )


def check_attribute_name(node: ast.AST, name: str, refuse: Refuse) -> None:
    if name in class_rules.DEFINABLE_SPECIAL_METHODS and _on_super(node):
        return  # `super().__init__(...)`: the base class's own method (classes.SuperView)
    if name.startswith("__"):
        raise refuse(node, f"the attribute '{name}' starts with '__', which is not allowed.")
    if name in class_rules.RESERVED_NAMES:
        raise refuse(
            node,
            f"the attribute '{name}' is used inside torch's own classes; a program may not "
            "read or assign it.",
        )


def check_super(node: ast.Call, in_method: bool, allowed: set[int], refuse: Refuse) -> None:
    function = node.func
    if not (isinstance(function, ast.Name) and function.id == "super"):
        return
    if not in_method:
        raise refuse(node, "super() can only be called inside a method of a class.")
    if node.keywords or len(node.args) not in (0, 2):
        raise refuse(node, "super() takes no arguments or (ClassName, self) in the playground.")
    allowed.add(id(function))
