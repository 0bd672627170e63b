/*
 * The MIT krb5 peer for the acceptor benchmark: not part of the product, a peer to measure.
 *
 *   mit_accept gen TARGET N FILE [--spnego] [--mutual]
 *       makes N initiator tokens for TARGET (a host-based service name such as
 *       HTTP@api.example.test) from the default credential cache, each with a fresh
 *       authenticator, and writes them to FILE as (4-byte big-endian length, token) records.
 *   mit_accept accept FILE
 *       accepts every token of FILE once with gss_accept_sec_context, using the default keytab
 *       (KRB5_KTNAME) and MIT's replay cache as configured (on unless KRB5RCACHETYPE=none),
 *       and prints one JSON line: tokens, failures, total and per-token microseconds.
 *
 * Built by benches/peers/acceptor.sh with Debian's libkrb5-dev:
 *   cc -O2 -o mit_accept mit_accept.c $(krb5-config --cflags --libs gssapi)
 */
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static gss_OID_desc krb5_oid = {9, "\x2a\x86\x48\x86\xf7\x12\x01\x02\x02"};
static gss_OID_desc spnego_oid = {6, "\x2b\x06\x01\x05\x05\x02"};

static void report(const char *what, OM_uint32 major, OM_uint32 minor)
{
    OM_uint32 min2, ctx = 0;
    gss_buffer_desc msg;
    fprintf(stderr, "mit_accept: %s failed:", what);
    do {
        gss_display_status(&min2, major, GSS_C_GSS_CODE, GSS_C_NO_OID, &ctx, &msg);
        fprintf(stderr, " %.*s;", (int)msg.length, (char *)msg.value);
        gss_release_buffer(&min2, &msg);
    } while (ctx != 0);
    do {
        gss_display_status(&min2, minor, GSS_C_MECH_CODE, GSS_C_NO_OID, &ctx, &msg);
        fprintf(stderr, " %.*s", (int)msg.length, (char *)msg.value);
        gss_release_buffer(&min2, &msg);
    } while (ctx != 0);
    fprintf(stderr, "\n");
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int gen(const char *target, long n, const char *path, int spnego, int mutual)
{
    OM_uint32 major, minor;
    gss_buffer_desc name_buf = {strlen(target), (void *)target};
    gss_name_t name;
    FILE *out;
    long i;

    major = gss_import_name(&minor, &name_buf, GSS_C_NT_HOSTBASED_SERVICE, &name);
    if (GSS_ERROR(major)) {
        report("gss_import_name", major, minor);
        return 1;
    }
    out = fopen(path, "wb");
    if (out == NULL) {
        perror(path);
        return 1;
    }
    for (i = 0; i < n; i++) {
        gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
        gss_buffer_desc token = GSS_C_EMPTY_BUFFER;
        unsigned char len[4];
        major = gss_init_sec_context(&minor, GSS_C_NO_CREDENTIAL, &ctx, name,
                                     spnego ? &spnego_oid : &krb5_oid,
                                     mutual ? GSS_C_MUTUAL_FLAG : 0, 0,
                                     GSS_C_NO_CHANNEL_BINDINGS, GSS_C_NO_BUFFER, NULL, &token,
                                     NULL, NULL);
        if (GSS_ERROR(major)) {
            report("gss_init_sec_context", major, minor);
            fclose(out);
            return 1;
        }
        len[0] = (unsigned char)(token.length >> 24);
        len[1] = (unsigned char)(token.length >> 16);
        len[2] = (unsigned char)(token.length >> 8);
        len[3] = (unsigned char)token.length;
        if (fwrite(len, 1, 4, out) != 4 || fwrite(token.value, 1, token.length, out) != token.length) {
            perror(path);
            fclose(out);
            return 1;
        }
        gss_release_buffer(&minor, &token);
        gss_delete_sec_context(&minor, &ctx, GSS_C_NO_BUFFER);
    }
    gss_release_name(&minor, &name);
    return fclose(out) == 0 ? 0 : 1;
}

static int accept_all(const char *path)
{
    FILE *in = fopen(path, "rb");
    unsigned char len[4];
    long tokens = 0, failures = 0;
    double total = 0;
    OM_uint32 major, minor;

    if (in == NULL) {
        perror(path);
        return 1;
    }
    while (fread(len, 1, 4, in) == 4) {
        size_t n = ((size_t)len[0] << 24) | ((size_t)len[1] << 16) | ((size_t)len[2] << 8) | len[3];
        gss_buffer_desc input, output = GSS_C_EMPTY_BUFFER;
        gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
        double start;
        void *buf;

        if (n == 0 || n > (1 << 20) || (buf = malloc(n)) == NULL) {
            fprintf(stderr, "mit_accept: bad record in %s\n", path);
            fclose(in);
            return 1;
        }
        if (fread(buf, 1, n, in) != n) {
            fprintf(stderr, "mit_accept: truncated record in %s\n", path);
            free(buf);
            fclose(in);
            return 1;
        }
        input.length = n;
        input.value = buf;
        start = now_us();
        major = gss_accept_sec_context(&minor, &ctx, GSS_C_NO_CREDENTIAL, &input,
                                       GSS_C_NO_CHANNEL_BINDINGS, NULL, NULL, &output, NULL,
                                       NULL, NULL);
        total += now_us() - start;
        if (GSS_ERROR(major)) {
            if (failures == 0)
                report("gss_accept_sec_context", major, minor);
            failures++;
        }
        tokens++;
        gss_release_buffer(&minor, &output);
        gss_delete_sec_context(&minor, &ctx, GSS_C_NO_BUFFER);
        free(buf);
    }
    fclose(in);
    printf("{\"peer\":\"mit-krb5\",\"tokens\":%ld,\"failures\":%ld,\"total_us\":%.1f,"
           "\"per_token_us\":%.3f}\n",
           tokens, failures, total, tokens ? total / (double)tokens : 0.0);
    return failures == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    int spnego = 0, mutual = 0, i;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--spnego") == 0)
            spnego = 1;
        else if (strcmp(argv[i], "--mutual") == 0)
            mutual = 1;
    }
    if (argc >= 5 && strcmp(argv[1], "gen") == 0)
        return gen(argv[2], strtol(argv[3], NULL, 10), argv[4], spnego, mutual);
    if (argc >= 3 && strcmp(argv[1], "accept") == 0)
        return accept_all(argv[2]);
    fprintf(stderr, "usage: mit_accept gen TARGET N FILE [--spnego] [--mutual]\n"
                    "       mit_accept accept FILE\n");
    return 2;
}
