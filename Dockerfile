# syntax=docker/dockerfile:1
# krb-proxy in a FROM scratch image: one static binary, CA certificates for https:// upstreams,
# a non-root user, nothing else (no shell, no libc, no package manager).
#
#   docker build -t krb-proxy .
#   docker run --rm -p 8080:8080 \
#     -v /etc/krb-proxy:/etc/krb-proxy:ro krb-proxy
#
# The config must listen on 0.0.0.0:8080 inside the container (`listen = "0.0.0.0:8080"`, with
# [tls] unless a TLS-terminating load balancer sits in front) and name the keytab by its path in
# the container, e.g. keytab = "/etc/krb-proxy/http.keytab". The keytab must be readable by
# uid 65532. The image never holds a keytab or a config.
#
# NOT BUILT HERE: the machine this was written on has no docker engine, so this file is untested
# as a docker build. The builder stage runs the same scripts/build-static.sh that was run and
# checked there (static binary, ldd "not a dynamic executable", size <= 10 MiB), and
# scripts/static-smoke.sh proved that binary serves with `env -i` from a directory holding only
# its config and keytab, and chrooted into a directory holding only binary, config and keytab,
# which is what this scratch image is.

# The builder: Debian 12 like the machine the build script was checked on, and a current stable
# Rust (the workspace's rust-version is 1.89; it was built here with 1.95).
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
# x86_64-unknown-linux-gnu with +crt-static (the script picks musl when that target is
# installed; `rustup target add x86_64-unknown-linux-musl` here would switch it to musl).
RUN scripts/build-static.sh \
 && cp target/static/*/release/krb-proxy /krb-proxy \
 && mkdir -p /rootfs/etc/ssl/certs /rootfs/etc/krb-proxy \
 && cp /etc/ssl/certs/ca-certificates.crt /rootfs/etc/ssl/certs/ \
 && echo 'krb-proxy:x:65532:65532:krb-proxy:/nonexistent:/sbin/nologin' > /rootfs/etc/passwd \
 && echo 'krb-proxy:x:65532:' > /rootfs/etc/group

FROM scratch
COPY --from=build /rootfs/ /
COPY --from=build /krb-proxy /krb-proxy
# The CA bundle is for https:// upstreams: name it in the config with
# [upstream_tls] ca = "/etc/ssl/certs/ca-certificates.crt"; without that key krb-proxy uses its
# built-in Mozilla roots (webpki-roots).
USER 65532:65532
EXPOSE 8080 9090
ENTRYPOINT ["/krb-proxy", "run", "--config", "/etc/krb-proxy/config.toml"]
