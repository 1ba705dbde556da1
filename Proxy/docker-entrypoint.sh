#!/bin/sh
# Renders the proxy's templates from the environment (the same substitution the AppHost does locally), makes a
# self-signed certificate if none is mounted, checks the result with `nginx -t`, then runs the command (nginx).
set -eu

templates_dir=${PROXY_TEMPLATES_DIR:-/etc/proxy/templates}
prefix=${PROXY_PREFIX:-/var/lib/proxy}

# Only the upper-case ${NAME}s the templates use are substituted: nginx's own $variables must reach nginx untouched.
variables=$(cat "$templates_dir"/*.template | grep -oE '\$\{[A-Z0-9_]+\}' | sort -u | tr '\n' ' ')

# A variable with no value is an error, not an empty string in the configuration (the local renderer agrees).
missing=""
for reference in $variables; do
    name=${reference#??}
    name=${name%?}
    is_set=""
    eval "is_set=\${$name+set}"
    [ "$is_set" = set ] || missing="$missing $name"
done
if [ -n "$missing" ]; then
    echo "proxy: the templates need values for:$missing" >&2
    exit 1
fi

mkdir -p "$NGINX_CONF_DIR" "$NGINX_RUN_DIR" "$NGINX_CACHE_DIR"
for template in "$templates_dir"/*.template; do
    rendered="$NGINX_CONF_DIR/$(basename "$template" .template)"
    envsubst "$variables" <"$template" >"$rendered"
done

# A mounted certificate (a Kubernetes TLS secret, a platform's) is used as it is; otherwise a short-lived self-signed one.
if [ ! -s "$PROXY_CERTIFICATE" ] || [ ! -s "$PROXY_CERTIFICATE_KEY" ]; then
    echo "proxy: no certificate at $PROXY_CERTIFICATE; creating a self-signed one for localhost" >&2
    mkdir -p "$(dirname "$PROXY_CERTIFICATE")" "$(dirname "$PROXY_CERTIFICATE_KEY")"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
        -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
        -keyout "$PROXY_CERTIFICATE_KEY" -out "$PROXY_CERTIFICATE" 2>/dev/null
    chmod 600 "$PROXY_CERTIFICATE_KEY"
fi

nginx -t -q -p "$prefix" -c "$NGINX_CONF_DIR/nginx.conf" -e stderr
exec "$@"
