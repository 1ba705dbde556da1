using System.Net.Sockets;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using WebApi.Data;

namespace WebApi.Tests;

public sealed class DatabaseUnavailableHandlerTests
{
    [Fact]
    public void Exhausted_retries_and_unreachable_servers_are_outages()
    {
        Assert.True(DatabaseUnavailableHandler.IsDatabaseUnavailable(new RetryLimitExceededException("retries", new NpgsqlException("down"))));
        Assert.True(DatabaseUnavailableHandler.IsDatabaseUnavailable(new NpgsqlException("connect failed", new SocketException((int)SocketError.ConnectionRefused))));
        Assert.True(DatabaseUnavailableHandler.IsDatabaseUnavailable(new InvalidOperationException("wrapped", new TimeoutException())));
    }

    [Fact]
    public void Bugs_are_not_outages()
    {
        Assert.False(DatabaseUnavailableHandler.IsDatabaseUnavailable(new InvalidOperationException("a bug")));
        Assert.False(DatabaseUnavailableHandler.IsDatabaseUnavailable(new NpgsqlException("syntax error")));
        Assert.False(DatabaseUnavailableHandler.IsDatabaseUnavailable(new ArgumentNullException("id")));
    }
}
