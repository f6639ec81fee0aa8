# syntax=docker/dockerfile:1
# Rekindle in a container: the same `cargo build --release -p rekindle` the README
# uses, copied into a small Debian runtime that runs as an unprivileged user and
# keeps its data (the SQLite database, when no PostgreSQL URL is given) in /data.

FROM rust:1.94-trixie AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p rekindle \
    && cp target/release/rekindle /usr/local/bin/rekindle

FROM debian:trixie-slim
# CA certificates: SMTP over TLS and Web Push reach out over https.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /data --no-create-home \
       --shell /usr/sbin/nologin rekindle \
    && mkdir /data \
    && chown rekindle:rekindle /data \
    && chmod 0700 /data
COPY --from=build /usr/local/bin/rekindle /usr/local/bin/rekindle
USER 10001:10001
ENV REKINDLE_DATA_DIR=/data \
    REKINDLE_LISTEN=0.0.0.0:8080
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["rekindle", "healthcheck"]
ENTRYPOINT ["rekindle"]
CMD ["serve"]
