# Build stage: compile the release binary. Migrations and the built-in postmortem
# templates (config/postmortem/) are embedded at compile time.
FROM rust:1.95-slim-bookworm AS build
# The IRC fallback's TLS is the irc crate's tls-native: OpenSSL's headers to build.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libssl-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY tests/fakes/Cargo.toml tests/fakes/Cargo.toml
COPY src src
COPY migrations migrations
COPY config config
COPY tests tests
COPY bench bench
RUN cargo build --release --locked --bin warroom

# Runtime stage: a small Debian with CA certificates for Slack's TLS, and OpenSSL's
# library for the IRC fallback's.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libssl3 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home /app warroom \
    && mkdir -p /app /data && chown warroom /data
WORKDIR /app
COPY --from=build /src/target/release/warroom /usr/local/bin/warroom
COPY config config
COPY examples examples
USER warroom
ENV WARROOM_LISTEN=0.0.0.0:3000 \
    DATABASE_URL=sqlite:///data/warroom.db
VOLUME /data
EXPOSE 3000
CMD ["warroom", "serve"]
