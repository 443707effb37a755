"""The program's classes at run time: trusted bridges between real Python/torch classes and the
interpreter.

A `class` statement of the program makes a real class (so `isinstance`, `print(model)`,
`model.parameters()` and torch's custom-Function machinery are torch's own), built by this
trusted code with `type()`; its namespace holds only `__sandbox__` (the `ClassInfo`) and one
forwarding function per special method the program defined. Every method of the program is an
`InterpretedFunction`: the forwarding functions, `nn.Module.forward` and a Function's
`forward`/`backward` call into the interpreter, under the run's step, cost, call-depth and
deadline limits. A program reads its objects only through `get_attribute` below, which never
hands out a real attribute of a class, a module's internals or torch's ctx.
"""

from __future__ import annotations

import reprlib
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from app.sandbox import class_rules
from app.sandbox.context import RunContext
from app.sandbox.errors import ProgramException, SandboxViolation
from app.sandbox.functions import InterpretedFunction
from app.sandbox.surface import dense


class ProgramInstance:
    """Marker base of everything this module hands to a program."""

    __slots__ = ()


class ProgramObject(ProgramInstance):
    """Base of the program's plain classes (`class Value:`); instances have a `__dict__`."""


class ProgramModule(ProgramInstance, nn.Module):
    """Base of the program's `nn.Module` subclasses: torch's module, the program's methods."""

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        method = find_member(type(self), "forward")
        if method is None:
            raise NotImplementedError(
                f'Module [{type(self).__name__}] is missing the required "forward" function'
            )
        return _invoke_member(method, self, args, kwargs)

    def extra_repr(self) -> str:
        method = find_member(type(self), "extra_repr")
        if method is None:
            return ""
        result = _invoke_member(method, self, (), {})
        return result


class Member:
    """A class member made by a decorator: "static", "class", "property" or "method" (a plain
    method marked @once_differentiable)."""

    __slots__ = ("function", "kind", "once_differentiable", "setter")

    def __init__(
        self,
        kind: str,
        function: InterpretedFunction,
        once: bool = False,
        setter: InterpretedFunction | None = None,
    ) -> None:
        self.kind = kind
        self.function = function
        self.once_differentiable = once
        self.setter = setter  # a property's `@x.setter`


class ClassInfo:
    """What the program defined in one class statement."""

    __slots__ = ("ctx", "kind", "lines", "members", "name", "qualname")

    def __init__(
        self,
        name: str,
        kind: str,
        members: dict[str, Any],
        ctx: RunContext,
        lines: dict[str, int] | None = None,
    ) -> None:
        self.name = name
        self.qualname = name
        self.kind = kind  # "plain", "module" or "function"
        self.members = members
        self.ctx = ctx
        self.lines = lines or {}  # the line of each method's `def`


def is_program_class(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, ProgramInstance)


def is_program_value(value: Any) -> bool:
    """The runtime's routing test: an object or class of the program, or a bridge of ours."""
    return isinstance(value, ProgramInstance) or (
        isinstance(value, type) and issubclass(value, ProgramInstance)
    )


def info_of(cls: type) -> ClassInfo | None:
    info = cls.__dict__.get("__sandbox__")
    return info if isinstance(info, ClassInfo) else None


def find_member(cls: type, name: str) -> Any:
    """The program's own member `name` along the class's MRO, or None."""
    for klass in cls.__mro__:
        info = klass.__dict__.get("__sandbox__")
        if isinstance(info, ClassInfo) and name in info.members:
            return info.members[name]
    return None


def _has_member(cls: type, name: str) -> bool:
    for klass in cls.__mro__:
        info = klass.__dict__.get("__sandbox__")
        if isinstance(info, ClassInfo) and name in info.members:
            return True
    return False


def _invoke_member(member: Any, owner: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if isinstance(member, Member):
        if member.kind == "static":
            return member.function.invoke(args, kwargs)
        if member.kind == "class":
            return member.function.invoke((type(owner), *args), kwargs)
        return member.function.invoke((owner, *args), kwargs)
    if isinstance(member, InterpretedFunction):
        return member.invoke((owner, *args), kwargs)
    raise TypeError(f"'{type(member).__name__}' object is not callable")


# ---- the real classes -----------------------------------------------------------------------


def _forwarder(name: str) -> Callable[..., Any]:
    """The real special method `name` of a program class: runs the program's method."""

    def special(self: Any, *args: Any) -> Any:
        member = find_member(type(self), name)
        if member is None:  # defined by a base that is not the program's: cannot happen
            raise TypeError(f"'{type(self).__name__}' object has no method {name}")
        try:
            result = _invoke_member(member, self, args, {})
        except ProgramException as signal:
            if name == "__getitem__" and signal.error_type in ("IndexError", "StopIteration"):
                # Python's sequence iteration stops at a real IndexError; the program's own
                # error travels inside it, so an uncaught one keeps its line.
                stop = IndexError(str(signal.message))
                stop.program_signal = signal  # type: ignore[attr-defined]
                raise stop from None
            raise
        if name == "__len__" and type(result) is int:
            info = next((info_of(k) for k in type(self).__mro__ if info_of(k) is not None), None)
            if info is not None and result > info.ctx.limits.list_length:
                raise info.ctx.limit_exceeded(
                    "list_length",
                    f"{type(self).__name__}.__len__ returned {result:,}; a length may be at "
                    f"most {info.ctx.limits.list_length:,} in the playground.",
                )
        return result

    special.__name__ = name
    return special


CLASS_ITEMS = 1_000


def make_class(
    name: str,
    bases: list[Any],
    members: dict[str, Any],
    ctx: RunContext,
    line: int,
    lines: dict[str, int] | None = None,
    qualname: str | None = None,
) -> type:
    """The real class for a class statement whose base expressions evaluated to `bases`."""
    # A class is a real type object (about a kilobyte): a class statement run in a loop or in
    # a function called many times pays for it like that many list items.
    if ctx.python_items + CLASS_ITEMS > ctx.limits.items:
        raise ctx.limit_exceeded(
            "items",
            f"The program built more than {ctx.limits.items:,} list items and string "
            f"characters in total (each class a class statement makes counts as {CLASS_ITEMS:,}).",
        )
    ctx.charge_python_items(CLASS_ITEMS)
    ctx.classes_made += 1
    kinds: set[str] = set()
    real_bases: list[type] = []
    for base in bases:
        kind, real = _base_kind(base, ctx)
        kinds.add(kind)
        if real is not None:
            real_bases.append(real)
    if len(kinds) > 1:
        raise SandboxViolation(
            f"Line {line}: a class cannot mix bases of different kinds (nn.Module, "
            "torch.autograd.Function and plain classes) in the playground.",
            line=line,
        )
    kind = kinds.pop() if kinds else "plain"
    info = ClassInfo(name, kind, members, ctx, lines)
    info.qualname = qualname or name
    namespace: dict[str, Any] = {
        "__module__": "__main__",
        "__qualname__": info.qualname,
        "__sandbox__": info,
    }
    if kind == "function":
        return _make_function_class(name, real_bases, info, namespace)
    for member in members:
        if class_rules.is_dunder(member) and member != "__init__":
            namespace[member] = _forwarder(member)
    if not real_bases:
        real_bases = [ProgramModule if kind == "module" else ProgramObject]
    try:
        return type(name, tuple(real_bases), namespace)
    except TypeError as error:  # e.g. an inconsistent MRO: CPython's own message
        raise TypeError(str(error)) from None


def _base_kind(base: Any, ctx: RunContext) -> tuple[str, type | None]:
    from app.sandbox.surface.values import BaseClassToken

    if base is object:
        return "plain", None
    if isinstance(base, BaseClassToken):
        return ("module" if base.real is nn.Module else "function"), None
    if is_program_class(base):
        info = next((info_of(k) for k in base.__mro__ if info_of(k) is not None), None)
        return (info.kind if info is not None else "plain"), base
    raise SandboxViolation(
        f"Line {ctx.line}: a class can only derive from nn.Module, torch.autograd.Function, "
        "object or a class of the program.",
        line=ctx.line,
        col=ctx.col,
    )


def _plain_function(member: Any) -> InterpretedFunction | None:
    if isinstance(member, Member):
        return member.function
    return member if isinstance(member, InterpretedFunction) else None


ONCE_DIFFERENTIABLE = "once_differentiable"


def _make_function_class(
    name: str, real_bases: list[type], info: ClassInfo, namespace: dict[str, Any]
) -> type:
    members = info.members
    base = real_bases[0] if real_bases else None

    def member(key: str) -> InterpretedFunction | None:
        found = members.get(key)
        if found is None and base is not None:
            found = find_member(base, key)
        return _plain_function(found)

    forward = member("forward")
    backward = member("backward")
    setup = member("setup_context")
    if forward is not None:
        if setup is not None:

            def forward_plain(*args: Any) -> Any:
                return forward.invoke(args, {})

            def setup_context(real_ctx: Any, inputs: Any, output: Any) -> Any:
                return setup.invoke((ctx_view(real_ctx), inputs, output), {})

            namespace["forward"] = staticmethod(forward_plain)
            namespace["setup_context"] = staticmethod(setup_context)
        else:

            def forward_with_ctx(real_ctx: Any, *args: Any) -> Any:
                return forward.invoke((ctx_view(real_ctx), *args), {})

            namespace["forward"] = staticmethod(forward_with_ctx)
    if backward is not None:

        def backward_call(real_ctx: Any, *grads: Any) -> Any:
            return backward.invoke((ctx_view(real_ctx), *grads), {})

        marked = members.get("backward")
        if base is not None and marked is None:
            marked = find_member(base, "backward")
        if isinstance(marked, Member) and marked.once_differentiable:
            namespace["backward"] = staticmethod(
                torch.autograd.function.once_differentiable(backward_call)
            )
        else:
            namespace["backward"] = staticmethod(backward_call)
    bases = tuple(real_bases) or (ProgramFunction,)
    return type(name, bases, namespace)


class ProgramFunction(ProgramInstance, torch.autograd.Function):
    """Base of the program's `torch.autograd.Function` subclasses."""

    __slots__ = ()


# ---- bridges handed to the program ------------------------------------------------------------


class TrustedCallable(ProgramInstance):
    """A callable of ours the program holds (`MyFn.apply`, `ctx.save_for_backward`);
    `handable` ones may be handed to torch (`gradcheck(MyFn.apply, ...)`)."""

    python_name = "method"  # what type() shows, as CPython names the class
    __slots__ = ("function", "handable", "label")

    def __init__(self, label: str, function: Callable[..., Any], handable: bool = False) -> None:
        self.label = label
        self.function = function
        self.handable = handable

    def __repr__(self) -> str:
        return f"<bound method {self.label}>"

    # `m.parameters == m.parameters`: equal when they wrap equal callables (torch's bound
    # methods compare their object by identity), as CPython's bound methods are.
    def __eq__(self, other: object) -> bool:
        if type(other) is not TrustedCallable:
            return NotImplemented
        return self.label == other.label and _same_callable(self.function, other.function)

    def __hash__(self) -> int:
        return hash(self.label)


def _same_callable(first: Callable[..., Any], second: Callable[..., Any]) -> bool:
    if first is second:
        return True
    owner, other_owner = getattr(first, "__self__", None), getattr(second, "__self__", None)
    return (
        owner is not None
        and owner is other_owner
        and getattr(first, "__func__", None) is getattr(second, "__func__", object())
    )


class ProgramMethod(ProgramInstance):
    """A method of the program bound to its object (or class, for a classmethod)."""

    python_name = "method"  # what type() shows, as CPython names the class
    __slots__ = ("function", "owner")

    def __init__(self, function: InterpretedFunction, owner: Any) -> None:
        self.function = function
        self.owner = owner

    # As CPython's bound methods: equal when they bind the same function to the same object
    # (the object by identity, never by its own __eq__), hashed the same way.
    def __eq__(self, other: object) -> bool:
        if type(other) is not ProgramMethod:
            return NotImplemented
        return self.function is other.function and self.owner is other.owner

    def __hash__(self) -> int:
        return hash((id(self.function), id(self.owner)))

    def __repr__(self) -> str:
        # As CPython: the object's own repr (its __repr__, run in the interpreter, if defined).
        return f"<bound method {self.function.qualname} of {self.owner!r}>"

    def capture_repr(self) -> str:
        """The same without running the program's code (for the capture, after the run)."""
        owner = self.owner
        shown = owner.__qualname__ if isinstance(owner, type) else f"{type(owner).__qualname__}"
        return f"<bound method {self.function.qualname} of <__main__.{shown} object>>"


class SuperView(ProgramInstance):
    """`super()` / `super(Cls, self)`: the program's members after `start` in the MRO."""

    python_name = "super"  # what type() shows, as CPython names the class
    __slots__ = ("obj", "start")

    def __init__(self, start: type, obj: Any) -> None:
        self.start = start
        self.obj = obj

    def __repr__(self) -> str:
        return f"<super: <class '{self.start.__name__}'>, <{type(self.obj).__name__} object>>"


class CtxView(ProgramInstance):
    """The `ctx` of a custom Function as the program sees it: torch's members of the table,
    and the program's own attributes kept here (never on torch's object)."""

    __slots__ = ("attributes", "real")

    def __init__(self, real: Any) -> None:
        self.real = real
        self.attributes: dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"<torch.autograd.function.{type(self.real).__name__} object>"


def program_callable(value: Any) -> Callable[..., Any] | None:
    """What torch may call for a program value handed to it as a function: a bound method of
    the program (run interpreted) or a Function's apply; None for anything else."""
    if isinstance(value, ProgramMethod):
        function, owner = value.function, value.owner

        def method(*args: Any, **kwargs: Any) -> Any:
            return function.invoke((owner, *args), kwargs)

        return method
    if isinstance(value, TrustedCallable) and value.handable:
        return value.function
    return None


def ctx_view(real_ctx: Any) -> CtxView:
    view = getattr(real_ctx, "_playground_view", None)
    if not isinstance(view, CtxView):
        view = CtxView(real_ctx)
        real_ctx._playground_view = view
    return view


# ---- operations the runtime routes here ------------------------------------------------------


def _refuse(ctx: RunContext, message: str) -> SandboxViolation:
    return SandboxViolation(f"Line {ctx.line}: {message}", line=ctx.line, col=ctx.col)


def _no_attribute(value: Any, name: str) -> AttributeError:
    if isinstance(value, type):
        return AttributeError(f"type object '{value.__name__}' has no attribute '{name}'")
    return AttributeError(f"'{type(value).__name__}' object has no attribute '{name}'")


def get_attribute(value: Any, name: str, ctx: RunContext, surface: Any) -> Any:
    """`value.name` for a program value."""
    if class_rules.is_dunder(name) and not isinstance(value, SuperView):
        raise _refuse(ctx, f"the attribute '{name}' starts with '__', which is not allowed.")
    if isinstance(value, type):
        return _class_attribute(value, name, ctx, surface)
    if isinstance(value, SuperView):
        return _super_attribute(value, name, ctx, surface)
    if isinstance(value, CtxView):
        return _ctx_attribute(value, name, ctx, surface)
    if isinstance(value, ModuleFunction):
        raise AttributeError(f"'function' object has no attribute '{name}'")
    if isinstance(value, ProgramMethod):  # CPython looks on the function it binds
        raise AttributeError(f"'function' object has no attribute '{name}'")
    if isinstance(value, TrustedCallable):
        raise AttributeError(f"'method' object has no attribute '{name}'")
    if isinstance(value, PropertyView):
        return _property_attribute(value, name, ctx)
    cls = type(value)
    member = find_member(cls, name)
    if isinstance(member, Member) and member.kind == "property":
        return member.function.invoke((value,), {})
    instance = value.__dict__
    if name in instance:
        return instance[name]
    if member is not None or _has_member(cls, name):
        return _bind(member, value, cls)
    if isinstance(value, nn.Module):  # what nn.Module.__getattr__ finds, after the class
        for table in ("_parameters", "_buffers", "_modules"):
            held = instance.get(table)
            if held is not None and name in held:
                return held[name]
    if isinstance(value, nn.Module):
        if name in class_rules.MODULE_EXTRA_METHODS:
            return TrustedCallable(f"Module.{name}", getattr(value, name))
        if not name.startswith("_"):
            return surface.get_attribute(value, name, ctx)
    raise _no_attribute(value, name)


def _bind(member: Any, owner: Any, cls: type) -> Any:
    if isinstance(member, Member):
        if member.kind == "property":  # `super().x`: the base's getter, as CPython runs it
            return member.function.invoke((owner,), {})
        if member.kind == "static":
            return member.function
        if member.kind == "class":
            return ProgramMethod(member.function, cls)
        return ProgramMethod(member.function, owner)
    if isinstance(member, InterpretedFunction):
        return ProgramMethod(member, owner)
    return member  # a class constant


def _class_attribute(cls: type, name: str, ctx: RunContext, surface: Any) -> Any:
    member = find_member(cls, name)
    if member is not None or _has_member(cls, name):
        if isinstance(member, Member):
            if member.kind == "class":
                return ProgramMethod(member.function, cls)
            if member.kind == "property":
                return PropertyView(member)
            return member.function
        return member
    if name == "apply" and issubclass(cls, torch.autograd.Function):
        label = f"Function.apply of <class '__main__.{cls.__qualname__}'>"  # as CPython does
        return TrustedCallable(label, cls.apply, handable=True)
    if issubclass(cls, ProgramModule) and _is_module_method(name):
        return ModuleFunction(name, ctx, surface)
    if hasattr(cls, name):  # torch's or Python's own (`Net.load_state_dict`, `A.mro`)
        raise _refuse(
            ctx, f"'{name}' of the class {cls.__name__} is not available in the playground."
        )
    raise _no_attribute(cls, name)


def _is_module_method(name: str) -> bool:
    """`Net.parameters`: a method nn.Module defines that a program module may call."""
    from app.sandbox import allowlist
    from app.sandbox.allowlist import Kind

    if name.startswith("_") or not callable(getattr(nn.Module, name, None)):
        return False
    entry = allowlist.MODULE.get(name)
    return name in class_rules.MODULE_EXTRA_METHODS or (
        entry is not None and entry.kind is Kind.METHOD
    )


class ModuleFunction(ProgramInstance):
    """`Net.parameters`: nn.Module's function read on the program's class. Called with a
    module of the program first (`Net.parameters(model)`), it does what `model.parameters`
    does; it hands out nothing of torch's function itself."""

    python_name = "function"  # what type() shows, as CPython names the class
    __slots__ = ("_ctx", "_surface", "name")

    def __init__(self, name: str, ctx: RunContext, surface: Any) -> None:
        self.name = name
        self._ctx = ctx
        self._surface = surface

    def __repr__(self) -> str:
        return f"<function Module.{self.name}>"

    def __eq__(self, other: object) -> bool:
        if type(other) is not ModuleFunction:
            return NotImplemented
        return self.name == other.name

    def __hash__(self) -> int:
        return hash(("Module", self.name))

    def call(self, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if not args:
            raise TypeError(f"Module.{self.name}() missing 1 required positional argument: 'self'")
        owner = args[0]
        if not isinstance(owner, ProgramModule):
            raise _refuse(
                self._ctx,
                f"Module.{self.name}(...) takes a module of the program's own classes first "
                "in the playground.",
            )
        bound = get_attribute(owner, self.name, self._ctx, self._surface)
        if isinstance(bound, TrustedCallable | ProgramMethod):
            return call(bound, list(args[1:]), kwargs, self._ctx)
        return self._surface.call(bound, list(args[1:]), kwargs, self._ctx)


class PropertyView(ProgramInstance):
    """`Cls.x` for a property of the program: printed as CPython prints a property object."""

    python_name = "property"  # what type() shows, as CPython names the class
    __slots__ = ("member",)

    def __init__(self, member: Member) -> None:
        self.member = member

    def __repr__(self) -> str:
        return "<property object>"

    def __eq__(self, other: object) -> bool:
        if type(other) is not PropertyView:
            return NotImplemented
        return self.member is other.member

    def __hash__(self) -> int:
        return hash(id(self.member))


def _property_attribute(view: PropertyView, name: str, ctx: RunContext) -> Any:
    if name == "fget":
        return view.member.function
    if name == "fset":
        return view.member.setter
    raise _refuse(
        ctx, f"a property's '{name}' is not available in the playground; fget and fset are."
    )


def _super_attribute(view: SuperView, name: str, ctx: RunContext, surface: Any) -> Any:
    obj = view.obj
    mro = type(obj).__mro__ if not isinstance(obj, type) else obj.__mro__
    after = mro[mro.index(view.start) + 1 :] if view.start in mro else ()
    for klass in after:
        info = klass.__dict__.get("__sandbox__")
        if isinstance(info, ClassInfo) and name in info.members:
            return _bind(info.members[name], obj, type(obj))
    if name == "__init__":
        if isinstance(obj, nn.Module):
            return TrustedCallable(
                "Module.__init__", lambda *a, **k: nn.Module.__init__(obj, *a, **k)
            )

        def object_init(*args: Any, **kwargs: Any) -> None:
            if args or kwargs:
                raise TypeError(
                    "object.__init__() takes exactly one argument (the instance to initialize)"
                )

        return TrustedCallable("object.__init__", object_init)
    if class_rules.is_dunder(name):
        raise AttributeError(f"'super' object has no attribute '{name}'")
    if isinstance(obj, nn.Module) and not name.startswith("_"):
        return surface.get_attribute(obj, name, ctx)
    raise AttributeError(f"'super' object has no attribute '{name}'")


def _ctx_attribute(view: CtxView, name: str, ctx: RunContext, surface: Any) -> Any:
    real = view.real
    if name in class_rules.CTX_METHODS:
        return TrustedCallable(f"{type(real).__name__}.{name}", getattr(real, name))
    if name in class_rules.CTX_ATTRIBUTES:
        value = getattr(real, name)
        if name == "saved_tensors":
            for tensor in value:
                if tensor is not None:
                    dense.check_tensor(tensor, ctx)
        return value
    if name in view.attributes:
        return view.attributes[name]
    raise AttributeError(f"'{type(real).__name__}' object has no attribute '{name}'")


def set_attribute(target: Any, name: str, value: Any, ctx: RunContext) -> None:
    """`target.name = value` for a program value."""
    if class_rules.is_dunder(name) or name in class_rules.RESERVED_NAMES:
        raise _refuse(ctx, f"the attribute '{name}' cannot be assigned in the playground.")
    if isinstance(target, CtxView):
        if name in class_rules.CTX_METHODS or name in class_rules.CTX_ATTRIBUTES:
            raise _refuse(ctx, f"ctx.{name} belongs to torch and cannot be assigned.")
        view_attributes = target.attributes
        if name not in view_attributes and len(view_attributes) >= ctx.limits.list_length:
            raise ctx.limit_exceeded("list_length", "ctx holds too many attributes.")
        view_attributes[name] = value
        return
    if isinstance(target, type):
        info = info_of(target)
        if info is None:
            raise _refuse(ctx, f"the class {target.__name__} cannot be changed.")
        info.members[name] = value
        return
    if isinstance(target, SuperView | TrustedCallable | ProgramMethod):
        raise AttributeError(f"'{type(target).__name__}' object has no attribute '{name}'")
    member = find_member(type(target), name)
    if isinstance(member, Member) and member.kind == "property":
        if member.setter is not None:
            member.setter.invoke((target, value), {})
            return
        raise AttributeError(f"property '{name}' of '{type(target).__name__}' object has no setter")
    if isinstance(target, nn.Module):
        if name != "training" and hasattr(nn.Module, name):
            raise _refuse(
                ctx,
                f"'{name}' is a member of nn.Module; a module of the program cannot assign it.",
            )
        if (
            isinstance(value, nn.Parameter)
            and name not in target.__dict__.get("_parameters", {})
            and _has_member(type(target), name)
        ):
            # torch's register_parameter: the name is taken by the class (hasattr is true).
            raise KeyError(f"attribute '{name}' already exists")
        nn.Module.__setattr__(target, name, value)
        return
    attributes = target.__dict__
    if name not in attributes and len(attributes) >= ctx.limits.list_length:
        raise ctx.limit_exceeded(
            "list_length", f"A {type(target).__name__} object holds too many attributes."
        )
    attributes[name] = value


def call(function: Any, args: list[Any], kwargs: dict[str, Any], ctx: RunContext) -> Any:
    """Calling a program class, a bound method, a bridge or an instance."""
    kind = type(function)
    if kind is ProgramMethod:
        return function.function.invoke((function.owner, *args), kwargs)
    if kind is TrustedCallable:
        return function.function(*args, **kwargs)
    if kind is ModuleFunction:
        return function.call(args, kwargs)
    if isinstance(function, type):
        return instantiate(function, args, kwargs, ctx)
    if isinstance(function, nn.Module):
        return function(*args, **kwargs)
    if isinstance(function, ProgramObject):
        member = find_member(kind, "__call__")
        if member is not None:
            return _invoke_member(member, function, tuple(args), kwargs)
    raise TypeError(f"'{kind.__name__}' object is not callable")


def instantiate(cls: type, args: list[Any], kwargs: dict[str, Any], ctx: RunContext) -> Any:
    if issubclass(cls, torch.autograd.Function):
        raise _refuse(
            ctx,
            f"a torch.autograd.Function is not instantiated; call {cls.__name__}.apply(...) "
            "instead.",
        )
    ctx.charge(1, cls.__name__)
    obj = object.__new__(cls)
    init = find_member(cls, "__init__")
    if init is None:
        if isinstance(obj, nn.Module):
            nn.Module.__init__(obj, *args, **kwargs)
        elif args or kwargs:
            raise TypeError(f"{cls.__name__}() takes no arguments")
        return obj
    result = _invoke_member(init, obj, tuple(args), kwargs)
    if result is not None:
        raise TypeError(f"__init__() should return None, not '{type(result).__name__}'")
    return obj


class _CaptureRepr(reprlib.Repr):
    """A bounded repr of containers that holds program objects, without running their code."""

    def repr1(self, x: Any, level: int) -> str:
        own = short_repr(x, containers=False)
        return own if own is not None else super().repr1(x, level)


def _holds_program_objects(value: Any) -> bool:
    pending = [value]
    seen = 0
    while pending and seen < 2_000:
        item = pending.pop()
        seen += 1
        if isinstance(item, ProgramInstance):
            return True
        if type(item) in (list, tuple, set, frozenset):
            pending.extend(item)
        elif type(item) is dict:
            pending.extend(item.keys())
            pending.extend(item.values())
    return bool(pending)  # too big to tell: treat as holding them


def backward_line(node: Any) -> int | None:
    """The line of the program's `def backward` for the node of one of its Functions."""
    if not isinstance(node, torch.autograd.function.BackwardCFunction):
        return None
    cls = getattr(node, "_forward_cls", None)
    if cls is None or not is_program_class(cls):
        return None
    for klass in cls.__mro__:
        info = info_of(klass)
        if info is not None and "backward" in info.lines:
            return info.lines["backward"]
    return None


def runs_program_repr(value: Any) -> bool:
    """True when `repr(value)` runs code of the program: an object of a class of the program
    that defines `__repr__`, or a module holding a module of the program that defines
    `__repr__` or `extra_repr` (what `short_repr` shows as `<Value object>` for that reason)."""
    if isinstance(value, ProgramObject):
        return _has_member(type(value), "__repr__")
    return isinstance(value, nn.Module) and any(
        isinstance(module, ProgramModule)
        and (_has_member(type(module), "__repr__") or _has_member(type(module), "extra_repr"))
        for module in value.modules()
    )


def short_repr(value: Any, containers: bool = True) -> str | None:
    """What the capture shows for a program object without running its code after the run:
    `<Value object>`; containers holding such objects get a bounded repr built the same way.
    None for values this module does not own."""
    if containers and type(value) in (list, tuple, dict, set, frozenset):
        return _CaptureRepr().repr(value) if _holds_program_objects(value) else None
    if isinstance(value, ProgramObject):
        return f"<{type(value).__name__} object>"
    if isinstance(value, nn.Module) and any(
        isinstance(module, ProgramModule)
        and (_has_member(type(module), "__repr__") or _has_member(type(module), "extra_repr"))
        for module in value.modules()
    ):
        return f"<{type(value).__name__} object>"
    if isinstance(value, ProgramMethod):
        return value.capture_repr()
    if isinstance(value, ProgramInstance) and not isinstance(value, nn.Module):
        return repr(value)
    return None
