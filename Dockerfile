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
COPY pyproject.toml README.md /app/
COPY app /app/app
COPY templates /app/templates
COPY static /app/static
# Editable: app/main.py finds templates/ and static/ next to the package, so the code stays in
# /app and only the entry point and a path hook go into the venv. Bytecode is compiled here
# because the running container's /app is read-only to the service user.
RUN pip install --no-deps -e /app \
    && rm -rf /app/*.egg-info /app/build \
    && python -m compileall -q /app/app

FROM ${BASE} AS runtime
LABEL org.opencontainers.image.title="Autograd Playground" \
      org.opencontainers.image.description="Small PyTorch programs, their autograd graph and gradients, in a sandbox."
# A fixed uid so Kubernetes runAsNonRoot and file ownership checks can rely on it.
RUN useradd --uid 10001 --user-group --create-home --home-dir /home/playground --shell /usr/sbin/nologin playground
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
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
