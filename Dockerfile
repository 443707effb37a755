# Autograd Playground: CPU-only PyTorch, everything the page needs inside the image.
#   docker build -t autograd-playground .
#   docker run --rm -p 8000:8000 autograd-playground
# From a CPU wheel on disk (buildah: add --volume /opt/wheels:/opt/wheels:ro):
#   --build-arg TORCH_PIP_ARGS="--find-links /opt/wheels" --build-arg TORCH_VERSION=2.13.0+cpu
ARG BASE=python:3.11-slim-bookworm

FROM ${BASE} AS build
# The torch wheel source is an argument because pip's default (PyPI) gives the CUDA build, which
# pulls several GB of NVIDIA packages that a CPU-only course server never uses.
ARG TORCH_VERSION=2.13.0
ARG TORCH_PIP_ARGS="--index-url https://download.pytorch.org/whl/cpu"
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore
# `python3 -m venv` works on the official image and on Debian's python (/usr/bin/python3) alike.
RUN python3 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# torch first and alone, so no later requirement can pull a different (CUDA) build of it.
# TORCH_PIP_ARGS is unquoted on purpose (several pip options); the version is pinned, through
# TORCH_VERSION, which hadolint cannot see.
# hadolint ignore=SC2086,DL3013
RUN pip install ${TORCH_PIP_ARGS} "torch==${TORCH_VERSION}"
COPY requirements.txt /app/requirements.txt
RUN pip install -r /app/requirements.txt \
    && python -c "import torch, numpy; assert torch.__version__.startswith('${TORCH_VERSION}'), torch.__version__; assert not torch.version.cuda"
# The wheel ships C++ headers and C++ test binaries (about 190 MB) that only matter for building
# extensions, which the sandbox never does; torch_shm_manager is the one binary torch may start.
# The check after it runs a real backward pass, so a trim too far fails the build.
RUN site=$(python -c "import sysconfig; print(sysconfig.get_paths()['purelib'])") \
    && rm -rf "$site/torch/include" "$site/torch/test" \
    && find "$site/torch/bin" -mindepth 1 ! -name torch_shm_manager -exec rm -rf {} + \
    && python -c "import torch; x = torch.ones(2, requires_grad=True); (x * x).sum().backward(); assert x.grad.tolist() == [2.0, 2.0]"

FROM ${BASE} AS runtime
LABEL org.opencontainers.image.title="Autograd Playground" \
      org.opencontainers.image.description="Small PyTorch programs, their autograd graph and gradients, in a sandbox."
# A fixed uid so Kubernetes runAsNonRoot and file ownership checks can rely on it.
RUN useradd --uid 10001 --user-group --create-home --home-dir /home/playground --shell /usr/sbin/nologin playground
# The 1 GB of dependencies is one layer that changes only with requirements.txt; the app's code
# comes after it, so a code change rebuilds and ships megabytes, not the venv.
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# The workers' seccomp filter needs the system's libseccomp (libseccomp2, part of the base image
# as a dependency of apt): the build fails here rather than the service at its first fork.
RUN python -c "import pyseccomp; pyseccomp.SyscallFilter(pyseccomp.ALLOW)"
# Editable install: app/main.py finds templates/ and static/ next to the package, so the code
# stays in /app and only the `autograd-playground` entry point and an import hook mapping `app`
# to /app/app go into the venv. Installed from pyproject.toml alone (README is only metadata) so
# this layer too survives code changes.
COPY pyproject.toml /app/
RUN printf '# Autograd Playground\n' > /app/README.md \
    && mkdir /app/app && touch /app/app/__init__.py \
    && pip install --no-cache-dir --disable-pip-version-check --root-user-action=ignore --no-deps -e /app \
    && rm -rf /app/app /app/*.egg-info /app/build
COPY app /app/app
COPY templates /app/templates
COPY static /app/static
# Bytecode compiled now, as root: at run time /app is read-only to the service user.
RUN python -m compileall -q /app/app
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PLAYGROUND_HOST=0.0.0.0 \
    PLAYGROUND_PORT=8000
WORKDIR /app
USER 10001:10001
EXPOSE 8000
# /healthz only says the process lives; readiness (/readyz) is for the load balancer.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PLAYGROUND_PORT', '8000'), timeout=4)"]
# Every setting comes from PLAYGROUND_* variables (PLAYGROUND_WORKERS, PLAYGROUND_LIMITS__SECONDS, ...).
CMD ["autograd-playground", "serve"]
