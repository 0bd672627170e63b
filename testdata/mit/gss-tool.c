/*
 * gss-tool: makes and accepts real MIT Kerberos GSS-API tokens for the test data in this
 * directory (see regen.sh and README.md). It is a test helper built on demand, never shipped:
 *
 *   cc -O2 -o gss-tool gss-tool.c $(krb5-config --cflags --libs gssapi)
 *
 * Usage:
 *   gss-tool init      -t TARGET [-n hostbased|principal] [-m krb5|spnego] [-M] [-d] [-b CB]
 *                      -o OUT.bin
 *       gss_init_sec_context with the default ccache (KRB5CCNAME); writes the initial token
 *       (raw DER, 0x60...) to OUT.bin and prints facts as JSON (see roundtrip).
 *   gss-tool accept    -i IN.bin [-o OUT.bin] [-k KEYTAB] [-b CB]
 *       gss_accept_sec_context with the keytab (-k, else KRB5_KTNAME); writes the acceptor's
 *       output token (the AP-REP, or the SPNEGO NegTokenResp) to OUT.bin if there is one and
 *       prints the client name, flags and session keys as JSON. Exit 0 only if accepted.
 *   gss-tool init-wait -t TARGET [-n ...] [-m krb5|spnego] [-M] [-b CB] -o OUT.bin -r REPLY.bin
 *       gss_init_sec_context; writes the initial token to OUT.bin (atomically: OUT.bin.tmp, then
 *       renamed), then waits up to 30 s for REPLY.bin to appear (write it atomically too) and
 *       feeds it to gss_init_sec_context. Exit 0 only if the context is then complete, with
 *       GSS_C_MUTUAL_FLAG when -M was given; prints {"result": "complete", ...} as JSON. For
 *       testing another acceptor's AP-REP against MIT's initiator.
 *   gss-tool roundtrip -t TARGET [-n ...] [-m krb5|spnego] [-M] [-d] [-b CB] [-k KEYTAB]
 *                      -p PREFIX
 *       init, accept, and while a side still wants a token, feed it back. Tokens are written to
 *       PREFIX.1.bin (initiator), PREFIX.2.bin (acceptor), PREFIX.3.bin ... in order. Prints
 *       JSON: the tokens, the creation time, the service ticket from the ccache (enctype, kvno,
 *       session key, times, flags) and the context keys from the acceptor (lucid export).
 *
 *   -t TARGET   HTTP@api.example.test (host-based service) or HTTP/api.example.test@EXAMPLE.TEST
 *               (a krb5 principal name; the default when TARGET holds a '/')
 *   -m MECH     krb5 = 1.2.840.113554.1.2.2 (default), spnego = 1.3.6.1.5.5.2
 *   -M          request mutual authentication (GSS_C_MUTUAL_FLAG)
 *   -d          request delegation (GSS_C_DELEG_FLAG; needs a forwardable TGT)
 *   -b CB       channel bindings: address types GSS_C_AF_UNSPEC, no addresses, application data
 *               = the bytes of the string CB
 *
 * Key bytes are printed on purpose: the realm is a throwaway test realm and the tests need them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Where the JSON facts go: stdout, or a memory stream that roundtrip repeats per token. */
static FILE *J;

static gss_OID_desc mech_krb5 = {9, "\x2a\x86\x48\x86\xf7\x12\x01\x02\x02"};
static gss_OID_desc mech_spnego = {6, "\x2b\x06\x01\x05\x05\x02"};

struct opts {
    const char *target, *nametype, *mech, *cb, *keytab, *in, *out, *prefix, *reply;
    int mutual, deleg;
};

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("gss-tool: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

static void print_status_1(OM_uint32 code, int type, gss_OID mech)
{
    OM_uint32 maj, min, ctx = 0;
    gss_buffer_desc msg;
    do {
        maj = gss_display_status(&min, code, type, mech, &ctx, &msg);
        if (GSS_ERROR(maj))
            return;
        fprintf(stderr, "    %.*s\n", (int)msg.length, (char *)msg.value);
        gss_release_buffer(&min, &msg);
    } while (ctx != 0);
}

static void gss_die(const char *what, OM_uint32 major, OM_uint32 minor, gss_OID mech)
{
    fprintf(stderr, "gss-tool: %s failed: major 0x%08x minor %u\n", what, major, minor);
    print_status_1(major, GSS_C_GSS_CODE, GSS_C_NO_OID);
    if (minor != 0)
        print_status_1(minor, GSS_C_MECH_CODE, mech);
    exit(1);
}

static void krb_die(krb5_context kctx, const char *what, krb5_error_code code)
{
    const char *msg = krb5_get_error_message(kctx, code);
    fprintf(stderr, "gss-tool: %s failed: %s (%d)\n", what, msg, (int)code);
    krb5_free_error_message(kctx, msg);
    exit(1);
}

static void write_file(const char *path, const gss_buffer_t buf)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        die("cannot write %s: %s", path, strerror(errno));
    if (buf->length > 0 && fwrite(buf->value, 1, buf->length, f) != buf->length)
        die("short write to %s", path);
    if (fclose(f) != 0)
        die("cannot close %s: %s", path, strerror(errno));
}

static void read_file(const char *path, gss_buffer_t buf)
{
    FILE *f = fopen(path, "rb");
    long n;
    if (f == NULL)
        die("cannot read %s: %s", path, strerror(errno));
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
        die("cannot size %s", path);
    if (n == 0 || n > (1 << 20))
        die("%s: token of %ld bytes (expected 1 byte to 1 MiB)", path, n);
    buf->value = malloc((size_t)n);
    if (buf->value == NULL)
        die("out of memory");
    if (fread(buf->value, 1, (size_t)n, f) != (size_t)n)
        die("short read from %s", path);
    buf->length = (size_t)n;
    fclose(f);
}

static gss_OID pick_mech(const char *m)
{
    if (m == NULL || strcmp(m, "krb5") == 0)
        return &mech_krb5;
    if (strcmp(m, "spnego") == 0)
        return &mech_spnego;
    die("unknown mechanism %s (expected krb5 or spnego)", m);
    return NULL;
}

static const char *mech_name(gss_OID oid)
{
    if (oid == GSS_C_NO_OID)
        return "none";
    if (oid->length == mech_krb5.length && memcmp(oid->elements, mech_krb5.elements, oid->length) == 0)
        return "krb5";
    if (oid->length == mech_spnego.length &&
        memcmp(oid->elements, mech_spnego.elements, oid->length) == 0)
        return "spnego";
    return "other";
}

/* Prints a JSON string literal; our strings are principal names and ASCII test strings. */
static void json_str(const char *s, size_t n)
{
    size_t i;
    fputc('"', J);
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            fprintf(J, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            fprintf(J, "\\u%04x", c);
        else
            fputc(c, J);
    }
    fputc('"', J);
}

static void json_hex(const unsigned char *p, size_t n)
{
    size_t i;
    fputc('"', J);
    for (i = 0; i < n; i++)
        fprintf(J, "%02x", p[i]);
    fputc('"', J);
}

static void json_time(const char *key, krb5_timestamp t)
{
    char buf[32];
    time_t tt = (time_t)(uint32_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL || strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        die("cannot format time %ld", (long)tt);
    fprintf(J, "\"%s\": %lu, \"%s_rfc3339\": \"%s\"", key, (unsigned long)(uint32_t)t, key, buf);
}

static void print_name(const char *key, gss_name_t name)
{
    OM_uint32 maj, min;
    gss_buffer_desc b;
    maj = gss_display_name(&min, name, &b, NULL);
    if (GSS_ERROR(maj))
        gss_die("gss_display_name", maj, min, GSS_C_NO_OID);
    fprintf(J, "\"%s\": ", key);
    json_str(b.value, b.length);
    gss_release_buffer(&min, &b);
}

static void print_flags(const char *key, OM_uint32 f)
{
    static const struct { OM_uint32 bit; const char *name; } names[] = {
        {GSS_C_DELEG_FLAG, "deleg"},       {GSS_C_MUTUAL_FLAG, "mutual"},
        {GSS_C_REPLAY_FLAG, "replay"},     {GSS_C_SEQUENCE_FLAG, "sequence"},
        {GSS_C_CONF_FLAG, "conf"},         {GSS_C_INTEG_FLAG, "integ"},
        {GSS_C_ANON_FLAG, "anon"},         {GSS_C_PROT_READY_FLAG, "prot_ready"},
        {GSS_C_TRANS_FLAG, "trans"},       {GSS_C_DELEG_POLICY_FLAG, "deleg_policy"},
    };
    size_t i;
    int first = 1;
    fprintf(J, "\"%s\": [", key);
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (f & names[i].bit) {
            fprintf(J, "%s\"%s\"", first ? "" : ", ", names[i].name);
            first = 0;
        }
    }
    fprintf(J, "]");
}

static void print_ticket_flags(krb5_flags f)
{
    static const char *names[32] = {
        "reserved", "forwardable", "forwarded", "proxiable", "proxy", "may-postdate",
        "postdated", "invalid", "renewable", "initial", "pre-authent", "hw-authent",
        "transited-policy-checked", "ok-as-delegate", "anonymous", "enc-pa-rep",
    };
    int bit, first = 1;
    fprintf(J, "\"flags\": \"0x%08x\", \"flag_names\": [", (unsigned)f);
    for (bit = 0; bit < 32; bit++) {
        if ((uint32_t)f & (0x80000000u >> bit)) {
            if (names[bit] != NULL)
                fprintf(J, "%s\"%s\"", first ? "" : ", ", names[bit]);
            else
                fprintf(J, "%s\"bit%d\"", first ? "" : ", ", bit);
            first = 0;
        }
    }
    fprintf(J, "]");
}

static void print_keyblock(const char *key, krb5_enctype et, const unsigned char *p, size_t n)
{
    fprintf(J, "\"%s\": {\"etype\": %d, \"hex\": ", key, (int)et);
    json_hex(p, n);
    fprintf(J, "}");
}

/* The service ticket the initiator used, from the default ccache. */
static void print_ccache_ticket(const char *service)
{
    krb5_context kctx;
    krb5_ccache cc;
    krb5_creds mcreds, creds;
    krb5_ticket *tkt;
    krb5_error_code ret;

    if ((ret = krb5_init_context(&kctx)) != 0)
        die("krb5_init_context failed (%d)", (int)ret);
    if ((ret = krb5_cc_default(kctx, &cc)) != 0)
        krb_die(kctx, "krb5_cc_default", ret);
    memset(&mcreds, 0, sizeof(mcreds));
    if ((ret = krb5_cc_get_principal(kctx, cc, &mcreds.client)) != 0)
        krb_die(kctx, "krb5_cc_get_principal", ret);
    if ((ret = krb5_parse_name(kctx, service, &mcreds.server)) != 0)
        krb_die(kctx, "krb5_parse_name", ret);
    if ((ret = krb5_cc_retrieve_cred(kctx, cc, 0, &mcreds, &creds)) != 0)
        krb_die(kctx, "krb5_cc_retrieve_cred (service ticket)", ret);
    if ((ret = krb5_decode_ticket(&creds.ticket, &tkt)) != 0)
        krb_die(kctx, "krb5_decode_ticket", ret);

    fprintf(J, "  \"ticket\": {\"etype\": %d, \"kvno\": %u, ", (int)tkt->enc_part.enctype,
           (unsigned)tkt->enc_part.kvno);
    print_keyblock("session_key", creds.keyblock.enctype, creds.keyblock.contents,
                   creds.keyblock.length);
    fprintf(J, ",\n    ");
    json_time("authtime", creds.times.authtime);
    fprintf(J, ", ");
    json_time("starttime", creds.times.starttime ? creds.times.starttime : creds.times.authtime);
    fprintf(J, ",\n    ");
    json_time("endtime", creds.times.endtime);
    fprintf(J, ", ");
    if (creds.times.renew_till != 0)
        json_time("renew_till", creds.times.renew_till);
    else
        fprintf(J, "\"renew_till\": null, \"renew_till_rfc3339\": null");
    fprintf(J, ",\n    ");
    print_ticket_flags(creds.ticket_flags);
    fprintf(J, "},\n");

    krb5_free_ticket(kctx, tkt);
    krb5_free_cred_contents(kctx, &creds);
    krb5_free_cred_contents(kctx, &mcreds);
    if ((ret = krb5_cc_close(kctx, cc)) != 0)
        krb_die(kctx, "krb5_cc_close", ret);
    krb5_free_context(kctx);
}

static gss_name_t import_target(const struct opts *o)
{
    OM_uint32 maj, min;
    gss_buffer_desc b;
    gss_name_t name;
    gss_OID type;
    const char *nt = o->nametype;
    if (nt == NULL)
        nt = strchr(o->target, '/') != NULL ? "principal" : "hostbased";
    if (strcmp(nt, "hostbased") == 0)
        type = GSS_C_NT_HOSTBASED_SERVICE;
    else if (strcmp(nt, "principal") == 0)
        type = (gss_OID)GSS_KRB5_NT_PRINCIPAL_NAME;
    else
        die("unknown name type %s (expected hostbased or principal)", nt);
    b.value = (void *)o->target;
    b.length = strlen(o->target);
    maj = gss_import_name(&min, &b, type, &name);
    if (GSS_ERROR(maj))
        gss_die("gss_import_name", maj, min, GSS_C_NO_OID);
    return name;
}

static gss_channel_bindings_t make_cb(const char *cb, struct gss_channel_bindings_struct *s)
{
    if (cb == NULL)
        return GSS_C_NO_CHANNEL_BINDINGS;
    memset(s, 0, sizeof(*s));
    s->initiator_addrtype = GSS_C_AF_UNSPEC;
    s->acceptor_addrtype = GSS_C_AF_UNSPEC;
    s->application_data.value = (void *)cb;
    s->application_data.length = strlen(cb);
    return s;
}

static void use_keytab(const char *keytab)
{
    OM_uint32 maj;
    if (keytab == NULL)
        return;
    maj = krb5_gss_register_acceptor_identity(keytab);
    if (GSS_ERROR(maj))
        gss_die("krb5_gss_register_acceptor_identity", maj, 0, GSS_C_NO_OID);
}

static OM_uint32 req_flags(const struct opts *o)
{
    OM_uint32 f = GSS_C_REPLAY_FLAG | GSS_C_SEQUENCE_FLAG | GSS_C_CONF_FLAG | GSS_C_INTEG_FLAG;
    if (o->mutual)
        f |= GSS_C_MUTUAL_FLAG;
    if (o->deleg)
        f |= GSS_C_DELEG_FLAG;
    return f;
}

/* Prints the context keys the acceptor holds (the lucid export deletes the context). */
static void print_lucid(gss_ctx_id_t *ctx)
{
    OM_uint32 maj, min;
    void *p = NULL;
    gss_krb5_lucid_context_v1_t *l;
    maj = gss_krb5_export_lucid_sec_context(&min, ctx, 1, &p);
    if (GSS_ERROR(maj))
        gss_die("gss_krb5_export_lucid_sec_context", maj, min, &mech_krb5);
    l = p;
    fprintf(J, "  \"acceptor_context\": {\"protocol\": %u, \"initiator\": %u, ", (unsigned)l->protocol,
           (unsigned)l->initiate);
    if (l->protocol == 0) {
        print_keyblock("context_key", (krb5_enctype)l->rfc1964_kd.ctx_key.type,
                       l->rfc1964_kd.ctx_key.data, l->rfc1964_kd.ctx_key.length);
        fprintf(J, ", \"acceptor_subkey\": null");
    } else {
        print_keyblock("context_key", (krb5_enctype)l->cfx_kd.ctx_key.type, l->cfx_kd.ctx_key.data,
                       l->cfx_kd.ctx_key.length);
        fprintf(J, ", ");
        if (l->cfx_kd.have_acceptor_subkey)
            print_keyblock("acceptor_subkey", (krb5_enctype)l->cfx_kd.acceptor_subkey.type,
                           l->cfx_kd.acceptor_subkey.data, l->cfx_kd.acceptor_subkey.length);
        else
            fprintf(J, "\"acceptor_subkey\": null");
    }
    fprintf(J, ", \"send_seq\": %llu, \"recv_seq\": %llu}",
           (unsigned long long)l->send_seq, (unsigned long long)l->recv_seq);
    maj = gss_krb5_free_lucid_sec_context(&min, p);
    if (GSS_ERROR(maj))
        gss_die("gss_krb5_free_lucid_sec_context", maj, min, &mech_krb5);
}

/* One gss_accept_sec_context step; prints the facts when the context is complete. */
static OM_uint32 accept_step(gss_ctx_id_t *actx, gss_buffer_t in, gss_buffer_t out,
                             gss_channel_bindings_t cb, gss_name_t *client, OM_uint32 *flags,
                             gss_cred_id_t *deleg, gss_OID *mech)
{
    OM_uint32 maj, min;
    maj = gss_accept_sec_context(&min, actx, GSS_C_NO_CREDENTIAL, in, cb, client, mech, out, flags,
                                 NULL, deleg);
    if (GSS_ERROR(maj))
        gss_die("gss_accept_sec_context", maj, min, *mech ? *mech : &mech_krb5);
    return maj;
}

static void print_accept_facts(gss_name_t client, OM_uint32 flags, gss_cred_id_t deleg,
                               gss_OID mech)
{
    fprintf(J, "  ");
    print_name("client", client);
    fprintf(J, ", \"accepted_mech\": \"%s\", \"delegated_credential\": %s,\n  ", mech_name(mech),
           deleg != GSS_C_NO_CREDENTIAL ? "true" : "false");
    print_flags("acceptor_flags", flags);
    fprintf(J, ",\n");
}

static int cmd_accept(const struct opts *o)
{
    gss_buffer_desc in, out = GSS_C_EMPTY_BUFFER;
    gss_ctx_id_t actx = GSS_C_NO_CONTEXT;
    gss_name_t client = GSS_C_NO_NAME;
    gss_cred_id_t deleg = GSS_C_NO_CREDENTIAL;
    gss_OID mech = GSS_C_NO_OID;
    OM_uint32 maj, min, flags = 0;
    struct gss_channel_bindings_struct cbs;

    if (o->in == NULL)
        die("accept needs -i IN.bin");
    use_keytab(o->keytab);
    read_file(o->in, &in);
    maj = accept_step(&actx, &in, &out, make_cb(o->cb, &cbs), &client, &flags, &deleg, &mech);
    if (maj & GSS_S_CONTINUE_NEEDED)
        die("acceptor wants another token after %s (not a complete context)", o->in);
    if (o->out != NULL)
        write_file(o->out, &out);
    fprintf(J, "{\n  \"result\": \"accepted\", \"input\": ");
    json_str(o->in, strlen(o->in));
    fprintf(J, ", \"output_token_length\": %zu,\n", out.length);
    print_accept_facts(client, flags, deleg, mech);
    print_lucid(&actx);
    fprintf(J, "\n}\n");
    gss_release_buffer(&min, &out);
    gss_release_name(&min, &client);
    if (deleg != GSS_C_NO_CREDENTIAL)
        gss_release_cred(&min, &deleg);
    free(in.value);
    return 0;
}

static void print_common(const struct opts *o, time_t created)
{
    fprintf(J, "  \"mech\": \"%s\", \"target\": ", o->mech ? o->mech : "krb5");
    json_str(o->target, strlen(o->target));
    fprintf(J, ", \"mutual\": %s, \"delegation\": %s, \"channel_bindings\": ", o->mutual ? "true" : "false",
           o->deleg ? "true" : "false");
    if (o->cb)
        json_str(o->cb, strlen(o->cb));
    else
        fprintf(J, "null");
    fprintf(J, ", \"created\": %ld,\n", (long)created);
}

static int cmd_init(const struct opts *o)
{
    gss_name_t target, targ = GSS_C_NO_NAME;
    gss_ctx_id_t ictx = GSS_C_NO_CONTEXT;
    gss_buffer_desc out = GSS_C_EMPTY_BUFFER, b;
    OM_uint32 maj, min, ret_flags = 0;
    struct gss_channel_bindings_struct cbs;
    time_t created;

    if (o->target == NULL || o->out == NULL)
        die("init needs -t TARGET and -o OUT.bin");
    target = import_target(o);
    created = time(NULL);
    maj = gss_init_sec_context(&min, GSS_C_NO_CREDENTIAL, &ictx, target, pick_mech(o->mech),
                               req_flags(o), 0, make_cb(o->cb, &cbs), GSS_C_NO_BUFFER, NULL, &out,
                               &ret_flags, NULL);
    if (GSS_ERROR(maj))
        gss_die("gss_init_sec_context", maj, min, pick_mech(o->mech));
    if (out.length == 0)
        die("gss_init_sec_context gave no token");
    write_file(o->out, &out);
    /* The canonical service principal name, to find the ticket in the ccache. */
    maj = gss_canonicalize_name(&min, target, &mech_krb5, &targ);
    if (GSS_ERROR(maj))
        gss_die("gss_canonicalize_name", maj, min, &mech_krb5);
    maj = gss_display_name(&min, targ, &b, NULL);
    if (GSS_ERROR(maj))
        gss_die("gss_display_name", maj, min, GSS_C_NO_OID);
    fprintf(J, "{\n");
    print_common(o, created);
    fprintf(J, "  \"service\": ");
    json_str(b.value, b.length);
    fprintf(J, ", \"token\": ");
    json_str(o->out, strlen(o->out));
    fprintf(J, ", \"token_length\": %zu,\n", out.length);
    {
        char *svc = strndup(b.value, b.length);
        if (svc == NULL)
            die("out of memory");
        print_ccache_ticket(svc);
        free(svc);
    }
    fprintf(J, "  ");
    print_flags("initiator_flags", ret_flags);
    fprintf(J, "\n}\n");
    gss_release_buffer(&min, &b);
    gss_release_buffer(&min, &out);
    gss_release_name(&min, &targ);
    gss_release_name(&min, &target);
    gss_delete_sec_context(&min, &ictx, GSS_C_NO_BUFFER);
    return 0;
}

/* init-wait: the initial token out, another acceptor's answer in, the context complete. */
static int cmd_init_wait(const struct opts *o)
{
    gss_name_t target;
    gss_ctx_id_t ictx = GSS_C_NO_CONTEXT;
    gss_buffer_desc out = GSS_C_EMPTY_BUFFER, in = GSS_C_EMPTY_BUFFER, out2 = GSS_C_EMPTY_BUFFER;
    OM_uint32 maj, min, ret_flags = 0;
    struct gss_channel_bindings_struct cbs;
    gss_channel_bindings_t cb = make_cb(o->cb, &cbs);
    gss_OID mech = pick_mech(o->mech);
    char tmp[4096];
    struct stat st;
    int waited_ms = 0;

    if (o->target == NULL || o->out == NULL || o->reply == NULL)
        die("init-wait needs -t TARGET, -o OUT.bin and -r REPLY.bin");
    target = import_target(o);
    maj = gss_init_sec_context(&min, GSS_C_NO_CREDENTIAL, &ictx, target, mech, req_flags(o), 0,
                               cb, GSS_C_NO_BUFFER, NULL, &out, &ret_flags, NULL);
    if (GSS_ERROR(maj))
        gss_die("gss_init_sec_context", maj, min, mech);
    if (out.length == 0)
        die("gss_init_sec_context gave no token");
    if (snprintf(tmp, sizeof(tmp), "%s.tmp", o->out) >= (int)sizeof(tmp))
        die("output path too long");
    write_file(tmp, &out);
    if (rename(tmp, o->out) != 0)
        die("cannot rename %s to %s: %s", tmp, o->out, strerror(errno));
    gss_release_buffer(&min, &out);
    if (maj & GSS_S_CONTINUE_NEEDED) {
        while (stat(o->reply, &st) != 0 || st.st_size == 0) {
            if (waited_ms >= 30000)
                die("no reply in %s after 30 s", o->reply);
            usleep(20000);
            waited_ms += 20;
        }
        read_file(o->reply, &in);
        maj = gss_init_sec_context(&min, GSS_C_NO_CREDENTIAL, &ictx, target, mech, req_flags(o), 0,
                                   cb, &in, NULL, &out2, &ret_flags, NULL);
        free(in.value);
        if (GSS_ERROR(maj))
            gss_die("gss_init_sec_context (reply)", maj, min, mech);
    }
    fprintf(J, "{\n  \"result\": \"%s\", \"mech\": \"%s\", \"output_token_length\": %zu, ",
            (maj & GSS_S_CONTINUE_NEEDED) ? "incomplete" : "complete", o->mech ? o->mech : "krb5",
            out2.length);
    print_flags("initiator_flags", ret_flags);
    fprintf(J, "\n}\n");
    gss_release_buffer(&min, &out2);
    gss_release_name(&min, &target);
    gss_delete_sec_context(&min, &ictx, GSS_C_NO_BUFFER);
    if (maj & GSS_S_CONTINUE_NEEDED)
        die("the context is not complete after the reply (it wants another round)");
    if (o->mutual && !(ret_flags & GSS_C_MUTUAL_FLAG))
        die("mutual authentication was asked for but not established");
    return 0;
}

struct leg {
    char *file;
    const char *kind, *from, *wrapping;
    size_t length;
};

static void add_leg(struct leg *legs, int *n, const char *prefix, const char *kind,
                    const char *from, const char *wrapping, gss_buffer_t tok)
{
    char path[4096];
    if (*n >= 8)
        die("too many context tokens");
    if (snprintf(path, sizeof(path), "%s.%s.bin", prefix, kind) >= (int)sizeof(path))
        die("prefix too long");
    write_file(path, tok);
    legs[*n].file = strdup(path);
    if (legs[*n].file == NULL)
        die("out of memory");
    legs[*n].kind = kind;
    legs[*n].from = from;
    legs[*n].wrapping = wrapping;
    legs[*n].length = tok->length;
    (*n)++;
}

static int cmd_roundtrip(const struct opts *o)
{
    gss_name_t target, targ = GSS_C_NO_NAME, client = GSS_C_NO_NAME;
    gss_ctx_id_t ictx = GSS_C_NO_CONTEXT, actx = GSS_C_NO_CONTEXT;
    gss_buffer_desc itok = GSS_C_EMPTY_BUFFER, atok = GSS_C_EMPTY_BUFFER, b;
    gss_cred_id_t deleg = GSS_C_NO_CREDENTIAL;
    gss_OID amech = GSS_C_NO_OID, imech = pick_mech(o->mech);
    OM_uint32 imaj, amaj, maj, min, iflags = 0, aflags = 0;
    struct gss_channel_bindings_struct cbs;
    gss_channel_bindings_t cb = make_cb(o->cb, &cbs);
    int spnego = imech == &mech_spnego;
    struct leg legs[8];
    int n = 0, i, idone, adone = 0;
    char *facts = NULL, *svc, *at;
    size_t facts_len = 0;
    time_t created;

    if (o->target == NULL || o->prefix == NULL)
        die("roundtrip needs -t TARGET and -p PREFIX");
    use_keytab(o->keytab);
    target = import_target(o);
    created = time(NULL);
    imaj = gss_init_sec_context(&min, GSS_C_NO_CREDENTIAL, &ictx, target, imech, req_flags(o), 0,
                                cb, GSS_C_NO_BUFFER, NULL, &itok, &iflags, NULL);
    if (GSS_ERROR(imaj))
        gss_die("gss_init_sec_context", imaj, min, imech);
    idone = !(imaj & GSS_S_CONTINUE_NEEDED);
    while (itok.length > 0) {
        /* initiator -> acceptor */
        if (adone)
            die("initiator sent a token after the acceptor finished");
        add_leg(legs, &n, o->prefix, n == 0 ? "ap-req" : "initiator-leg", "initiator",
                spnego ? (n == 0 ? "spnego-neg-token-init" : "spnego-neg-token-resp") : "gss-krb5",
                &itok);
        amaj = accept_step(&actx, &itok, &atok, cb, &client, &aflags, &deleg, &amech);
        gss_release_buffer(&min, &itok);
        adone = !(amaj & GSS_S_CONTINUE_NEEDED);
        /* acceptor -> initiator */
        if (atok.length == 0)
            break;
        add_leg(legs, &n, o->prefix,
                n != 1 ? "acceptor-leg" : (aflags & GSS_C_MUTUAL_FLAG) ? "ap-rep" : "neg-token-resp",
                "acceptor", spnego ? "spnego-neg-token-resp" : "gss-krb5", &atok);
        if (idone)
            break; /* the initiator is complete; nothing more to feed it */
        imaj = gss_init_sec_context(&min, GSS_C_NO_CREDENTIAL, &ictx, target, imech, req_flags(o),
                                    0, cb, &atok, NULL, &itok, &iflags, NULL);
        gss_release_buffer(&min, &atok);
        if (GSS_ERROR(imaj))
            gss_die("gss_init_sec_context (continue)", imaj, min, imech);
        idone = !(imaj & GSS_S_CONTINUE_NEEDED);
    }
    if (!adone)
        die("acceptor did not complete");
    if (!idone)
        die("initiator did not complete");

    maj = gss_canonicalize_name(&min, target, &mech_krb5, &targ);
    if (GSS_ERROR(maj))
        gss_die("gss_canonicalize_name", maj, min, &mech_krb5);
    maj = gss_display_name(&min, targ, &b, NULL);
    if (GSS_ERROR(maj))
        gss_die("gss_display_name", maj, min, GSS_C_NO_OID);
    svc = strndup(b.value, b.length);
    if (svc == NULL)
        die("out of memory");
    at = strrchr(svc, '@');

    /* The facts every token of this exchange shares, printed once into memory. */
    J = open_memstream(&facts, &facts_len);
    if (J == NULL)
        die("open_memstream: %s", strerror(errno));
    print_common(o, created);
    fprintf(J, "  \"service\": ");
    json_str(svc, strlen(svc));
    fprintf(J, ", \"realm\": ");
    if (at != NULL)
        json_str(at + 1, strlen(at + 1));
    else
        fprintf(J, "null");
    fprintf(J, ",\n");
    print_ccache_ticket(svc);
    fprintf(J, "  ");
    print_flags("initiator_flags", iflags);
    fprintf(J, ",\n");
    print_accept_facts(client, aflags, deleg, amech);
    print_lucid(&actx);
    if (fclose(J) != 0)
        die("cannot close the memory stream");
    J = stdout;

    printf("[\n");
    for (i = 0; i < n; i++) {
        const char *base = strrchr(legs[i].file, '/');
        base = base ? base + 1 : legs[i].file;
        printf("{\n  \"file\": ");
        json_str(base, strlen(base));
        printf(", \"kind\": \"%s\", \"from\": \"%s\", \"wrapping\": \"%s\", \"length\": %zu, "
               "\"answers\": ",
               legs[i].kind, legs[i].from, legs[i].wrapping, legs[i].length);
        if (i > 0) {
            const char *prev = strrchr(legs[i - 1].file, '/');
            prev = prev ? prev + 1 : legs[i - 1].file;
            json_str(prev, strlen(prev));
        } else {
            printf("null");
        }
        printf(",\n%s\n}%s\n", facts, i + 1 < n ? "," : "");
    }
    printf("]\n");
    for (i = 0; i < n; i++)
        free(legs[i].file);
    free(facts);
    free(svc);
    gss_release_buffer(&min, &b);
    gss_release_buffer(&min, &atok);
    gss_release_name(&min, &targ);
    gss_release_name(&min, &target);
    gss_release_name(&min, &client);
    if (deleg != GSS_C_NO_CREDENTIAL)
        gss_release_cred(&min, &deleg);
    gss_delete_sec_context(&min, &ictx, GSS_C_NO_BUFFER);
    return 0;
}

int main(int argc, char **argv)
{
    struct opts o;
    int c;
    const char *cmd;

    memset(&o, 0, sizeof(o));
    J = stdout;
    if (argc < 2)
        die("usage: gss-tool init|init-wait|accept|roundtrip [options] (see the comment at the top of gss-tool.c)");
    cmd = argv[1];
    optind = 2;
    while ((c = getopt(argc, argv, "t:n:m:Mdb:k:i:o:p:r:")) != -1) {
        switch (c) {
        case 't': o.target = optarg; break;
        case 'n': o.nametype = optarg; break;
        case 'm': o.mech = optarg; pick_mech(optarg); break;
        case 'M': o.mutual = 1; break;
        case 'd': o.deleg = 1; break;
        case 'b': o.cb = optarg; break;
        case 'k': o.keytab = optarg; break;
        case 'i': o.in = optarg; break;
        case 'o': o.out = optarg; break;
        case 'p': o.prefix = optarg; break;
        case 'r': o.reply = optarg; break;
        default: die("unknown option (see the comment at the top of gss-tool.c)");
        }
    }
    if (optind != argc)
        die("unexpected argument %s", argv[optind]);
    if (strcmp(cmd, "init") == 0)
        return cmd_init(&o);
    if (strcmp(cmd, "accept") == 0)
        return cmd_accept(&o);
    if (strcmp(cmd, "roundtrip") == 0)
        return cmd_roundtrip(&o);
    if (strcmp(cmd, "init-wait") == 0)
        return cmd_init_wait(&o);
    die("unknown command %s (expected init, init-wait, accept or roundtrip)", cmd);
    return 2;
}
