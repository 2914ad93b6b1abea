using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace DepMap.Server.Hosting;

/// <summary>
/// Who may trigger work that is not ingest (<c>POST /api/aggregate</c>, <c>POST /snapshots</c>,
/// <c>DELETE /snapshots/{id}</c>): a local request, or one carrying
/// <c>Authorization: Bearer &lt;Snapshots:AdminToken&gt;</c>. Ingest and reads stay open, as the
/// receivers DepMap stands in for (OTLP, Zipkin, Jaeger) are. DepMap listens on 127.0.0.1 by
/// default, so this only matters once the port is exposed, which is when an operator wants it.
/// </summary>
internal static class AdminAccess
{
    /// <summary>Named when only deleting snapshots needed it; it now guards every write that is not ingest.</summary>
    public const string TokenSetting = "Snapshots:AdminToken";

    /// <summary>Answers 403 naming the setting unless the request is local or carries the token.</summary>
    public static RouteHandlerBuilder RequireAdmin(this RouteHandlerBuilder endpoint, string action) =>
        endpoint.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var token = http.RequestServices.GetRequiredService<IConfiguration>()[TokenSetting];
            return IsAdmin(http, token) ? await next(context) : Results.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "Admin only",
                detail: $"{action} needs a local request or Authorization: Bearer <{TokenSetting}>"
                    + (string.IsNullOrEmpty(token) ? $" ({TokenSetting} is not set, so only local requests may)." : "."));
        });

    /// <summary>
    /// Local: loopback, the connection's own address, or no address at all (an in-process or
    /// Unix-socket request, which no other machine can make). Else the token, compared in constant
    /// time; the scheme's case does not matter (RFC 9110 §11.1).
    /// </summary>
    public static bool IsAdmin(HttpContext context, string? token)
    {
        var remote = context.Connection.RemoteIpAddress;
        if (remote is null || IPAddress.IsLoopback(remote) || remote.Equals(context.Connection.LocalIpAddress))
        {
            return true;
        }
        const string Scheme = "Bearer ";
        var header = context.Request.Headers.Authorization.ToString();
        return !string.IsNullOrEmpty(token) && header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[Scheme.Length..].Trim()), Encoding.UTF8.GetBytes(token));
    }
}
