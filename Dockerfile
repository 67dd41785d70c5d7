# syntax=docker/dockerfile:1
# fazproxy container image.
#
#   docker build -t fazproxy:local .
#   docker run --rm -p 127.0.0.1:5432:5432 -v $PWD/faz.yaml:/etc/fazproxy/faz.yaml:ro fazproxy:local
#
# Two stages: a Go build with cgo (pg_query_go compiles PostgreSQL's parser in
# C), then a slim Debian runtime of the same release (same glibc) holding only
# the binary and CA certificates (for HTTPS to DynamoDB), running as non-root.
ARG GO_VERSION=1.26
ARG DEBIAN_RELEASE=bookworm

FROM golang:${GO_VERSION}-${DEBIAN_RELEASE} AS build
WORKDIR /src
ENV CGO_ENABLED=1
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    go build -trimpath -ldflags="-s -w -X main.version=${VERSION}" -o /out/fazproxy ./cmd/fazproxy

FROM debian:${DEBIAN_RELEASE}-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin fazproxy \
 && mkdir -p /etc/fazproxy
COPY --from=build /out/fazproxy /usr/local/bin/fazproxy
COPY examples/compose.faz.yaml /etc/fazproxy/faz.yaml
USER fazproxy
EXPOSE 5432 9187
ENTRYPOINT ["/usr/local/bin/fazproxy"]
CMD ["serve", "--config", "/etc/fazproxy/faz.yaml"]
