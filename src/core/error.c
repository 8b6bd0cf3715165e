#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "core/utf8.h"

const char *svcq_strerror(int code)
{
    switch (code) {
    case SVCQ_OK: return "success";
    case SVCQ_EINVAL: return "invalid argument";
    case SVCQ_ENOMEM: return "out of memory";
    case SVCQ_ENOTFOUND: return "not found";
    case SVCQ_EEXIST: return "already exists";
    case SVCQ_ECONFLICT: return "revision conflict";
    case SVCQ_EVERSION: return "unsupported version";
    case SVCQ_ESTORE: return "storage callback failed";
    case SVCQ_EIO: return "input/output error";
    case SVCQ_ECORRUPT: return "data is corrupt";
    case SVCQ_EBUSY: return "resource is busy";
    case SVCQ_ERANGE: return "value out of range";
    case SVCQ_ESTATE: return "not allowed in the current state";
    case SVCQ_EPARSE: return "parse error";
    case SVCQ_ELIMIT: return "limit exceeded";
    case SVCQ_EABORTED: return "aborted by a callback";
    }
    return "unknown error";
}

int svcq__error(svcq_ctx *ctx, int code, const char *fmt, ...)
{
    if (ctx) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(ctx->errmsg, sizeof(ctx->errmsg), fmt, ap);
        va_end(ap);
        /* A message cut to fit must still be valid UTF-8. */
        if (n >= (int)sizeof(ctx->errmsg)) {
            size_t keep = svcq__utf8_trim(ctx->errmsg, sizeof(ctx->errmsg) - 1);
            ctx->errmsg[keep] = '\0';
        }
    }
    return code;
}

int svcq__error_prefix(svcq_ctx *ctx, int code, const char *fmt, ...)
{
    if (!ctx)
        return code;
    char detail[SVCQ__ERRMSG_SIZE];
    memcpy(detail, ctx->errmsg, sizeof(detail));
    char prefix[SVCQ__ERRMSG_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    return svcq__error(ctx, code, "%s: %s", prefix, detail);
}

int svcq__enomem(svcq_ctx *ctx)
{
    return svcq__error(ctx, SVCQ_ENOMEM, "out of memory");
}

void svcq__log(svcq_ctx *ctx, int32_t level, const char *fmt, ...)
{
    if (!ctx || !ctx->log_fn || level < ctx->log_min_level)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof(msg))
        msg[svcq__utf8_trim(msg, sizeof(msg) - 1)] = '\0';
    ctx->log_fn(level, msg, ctx->log_user_data);
}
