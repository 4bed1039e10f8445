# Build: docker build -t acme_exporter .
# Run (host-local checks need the host's client directories, read-only):
#   docker run -d --name acme_exporter -p 10190:10190 \
#     -v /etc/letsencrypt:/etc/letsencrypt:ro acme_exporter
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
