using Microsoft.Extensions.Configuration;
using Npgsql;
using WebApi.Data;

namespace WebApi.Tests.Data;

public sealed class DatabaseExtensionsTests
{
    private const string ConnectionString = "Host=127.0.0.1;Port=5432;Username=postgres;Password=secret;Database=readiness";

    [Fact]
    public void The_pool_cap_and_automatic_preparation_apply_when_the_connection_string_sets_neither()
    {
        var applied = new NpgsqlConnectionStringBuilder(DatabaseExtensions.WithDefaults(ConnectionString, 16, 64));

        Assert.Equal(16, applied.MaxPoolSize);
        Assert.Equal(64, applied.MaxAutoPrepare);
        Assert.True(applied.NoResetOnClose);
        Assert.Equal("secret", applied.Password);
    }

    [Theory]
    [InlineData("No Reset On Close=false")]
    [InlineData("NoResetOnClose=false")]
    public void A_connection_string_that_asks_for_the_reset_on_close_keeps_it(string resetSetting)
    {
        var applied = new NpgsqlConnectionStringBuilder(DatabaseExtensions.WithDefaults($"{ConnectionString};{resetSetting}", 16, 64));

        Assert.False(applied.NoResetOnClose);
    }

    [Theory]
    [InlineData("Maximum Pool Size=40")]
    [InlineData("MaxPoolSize=40")]
    public void A_pool_size_in_the_connection_string_wins(string poolSetting)
    {
        var applied = new NpgsqlConnectionStringBuilder(DatabaseExtensions.WithDefaults($"{ConnectionString};{poolSetting}", 16, 64));

        Assert.Equal(40, applied.MaxPoolSize);
    }

    [Theory]
    [InlineData("Max Auto Prepare=0")]
    [InlineData("MaxAutoPrepare=0")]
    public void Automatic_preparation_in_the_connection_string_wins_even_when_it_turns_it_off(string prepareSetting)
    {
        var applied = new NpgsqlConnectionStringBuilder(DatabaseExtensions.WithDefaults($"{ConnectionString};{prepareSetting}", 16, 64));

        Assert.Equal(0, applied.MaxAutoPrepare);
    }

    [Fact]
    public void Configuration_chooses_the_pool_size_and_automatic_preparation_unless_the_connection_string_does()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:readiness"] = ConnectionString,
            ["Database:MaxPoolSize"] = "8",
            ["Database:MaxAutoPrepare"] = "0",
        }).Build();

        var applied = new NpgsqlConnectionStringBuilder(DatabaseExtensions.GetConnectionString(configuration));
        var unconfigured = new NpgsqlConnectionStringBuilder(DatabaseExtensions.GetConnectionString(
            new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:readiness"] = ConnectionString }).Build()));

        Assert.Equal(8, applied.MaxPoolSize);
        Assert.Equal(0, applied.MaxAutoPrepare);
        Assert.Equal(DatabaseExtensions.DefaultMaxPoolSize, unconfigured.MaxPoolSize);
        Assert.Equal(DatabaseExtensions.DefaultMaxAutoPrepare, unconfigured.MaxAutoPrepare);
    }
}
