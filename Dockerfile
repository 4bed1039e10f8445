# Build: make docker (tags ghcr.io/acme-exporter/acme_exporter:v$(cat VERSION),
# the image examples/kubernetes/ names). Run: see "Container" in README.md.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN make build

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /src/acme_exporter /bin/acme_exporter
EXPOSE 10190
USER nonroot
ENTRYPOINT ["/bin/acme_exporter"]
