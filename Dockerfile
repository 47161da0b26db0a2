# koppel's container image: `koppel run` as an unprivileged user, the bundled plugins inside, the
# state on a volume, a health check on /healthz. See docs/operations.md ("In a container").
#
#   podman build -t koppel .          (or docker build; buildah bud)
#   podman run -v koppel-state:/var/lib/koppel -v ./mijnwinkel.hcl:/etc/koppel/mijnwinkel.hcl:ro \
#       -e KOPPEL_API_TOKEN=... -p 8484:8484 koppel
#
# The base images are arguments so a mirror or a pinned digest can be given.
ARG GO_IMAGE=docker.io/library/golang:1.26-bookworm
ARG BASE_IMAGE=docker.io/library/debian:bookworm-slim

FROM ${GO_IMAGE} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ENV CGO_ENABLED=0
RUN set -eu; \
    flags="-s -w -X main.version=${VERSION}"; \
    go build -trimpath -ldflags "$flags" -o /out/koppel ./host; \
    for p in woocommerce magento onetoshop snelstart-online snelstart-mdb; do \
        go build -trimpath -ldflags "$flags" -o /out/plugins/koppel-plugin-$p ./plugins/$p; \
    done; \
    mkdir -p /out/lock /out/demo; \
    printf 'koppel {\n  plugin_dir = "/out/plugins"\n}\n' > /out/lock/koppel.hcl; \
    /out/koppel plugins lock --config /out/lock; \
    sed -e 's|plugin_dir *= *"[^"]*"|plugin_dir = "/usr/lib/koppel/plugins"|' \
        -e 's|state_dir *= *"[^"]*"|state_dir = "/var/lib/koppel/demo"|' \
        examples/profiles/demo.hcl > /out/demo/demo.hcl

FROM ${BASE_IMAGE}
# ca-certificates for the shops' and SnelStart's TLS; tzdata for schedules in Europe/Amsterdam;
# mdbtools for the SnelStart desktop plugin (.mdb files mounted into the container).
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates tzdata mdbtools \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /var/lib/koppel --shell /usr/sbin/nologin koppel \
    && install -d -o koppel -g koppel -m 0700 /var/lib/koppel \
    && install -d -m 0755 /etc/koppel
COPY --from=build /out/koppel /usr/local/bin/koppel
COPY --from=build /out/plugins/ /usr/lib/koppel/plugins/
COPY --from=build /out/demo/ /usr/share/koppel/demo/
COPY deploy/container/koppel.hcl /etc/koppel/koppel.hcl
USER koppel:koppel
WORKDIR /var/lib/koppel
ENV TZ=Europe/Amsterdam
VOLUME ["/var/lib/koppel"]
EXPOSE 8484
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["koppel", "health", "--config", "/etc/koppel"]
ENTRYPOINT ["koppel"]
CMD ["run", "--config", "/etc/koppel", "--log-level", "info"]
