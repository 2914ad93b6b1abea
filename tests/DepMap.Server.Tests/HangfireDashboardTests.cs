using System.Net;
using Microsoft.AspNetCore.Http;

namespace DepMap.Server.Tests;

public class HangfireDashboardTests
{
    [Collection(HttpCollection.Name)]
    public class FromLoopback(HttpDepMapFactory factory)
    {
        [Fact]
        public async Task Dashboard_Returns200_WhenRequestComesFromLoopback()
        {
            using var client = new HttpClient { BaseAddress = factory.Address };

            var response = await client.GetAsync("/hangfire");

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("Hangfire", await response.Content.ReadAsStringAsync());
        }
    }

    [Collection(ServerCollection.Name)]
    public class FromElsewhere(DepMapFactory factory)
    {
        [Fact]
        public async Task Dashboard_Refuses_WhenRequestComesFromAnotherMachine()
        {
            var context = await factory.Server.SendAsync(c =>
            {
                c.Request.Method = "GET";
                c.Request.Path = "/hangfire";
                c.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.7");
                c.Connection.LocalIpAddress = IPAddress.Parse("192.0.2.1");
            });

            Assert.Equal(StatusCodes.Status401Unauthorized, context.Response.StatusCode);
        }
    }
}
