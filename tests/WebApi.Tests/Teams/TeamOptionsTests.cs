using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using WebApi.Teams;

namespace WebApi.Tests.Teams;

/// <summary>A team size or a number of teams per person the API cannot work with stops the start, naming the setting.</summary>
public sealed class TeamOptionsTests
{
    [Theory]
    [InlineData("MaxMembers", "0")]
    [InlineData("MaxMembers", "-1")]
    [InlineData("MaxMembers", "10001")]
    [InlineData("MaxTeamsPerPerson", "0")]
    [InlineData("MaxTeamsPerPerson", "-1")]
    [InlineData("MaxTeamsPerPerson", "10001")]
    public void A_limit_out_of_range_is_refused_with_its_name(string setting, string value)
    {
        using var host = Build(setting, value);

        var refused = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<TeamOptions>>().Value);

        Assert.Contains($"Teams:{setting} must be from 1 to 10000.", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_team_holds_200_members_and_a_person_belongs_to_100_teams_unless_set_otherwise()
    {
        using (var defaults = Build(null, null))
        {
            var options = defaults.Services.GetRequiredService<IOptions<TeamOptions>>().Value;
            Assert.Equal(200, options.MaxMembers);
            Assert.Equal(100, options.MaxTeamsPerPerson);
        }

        using (var largerTeams = Build("MaxMembers", "10000"))
        {
            Assert.Equal(10_000, largerTeams.Services.GetRequiredService<IOptions<TeamOptions>>().Value.MaxMembers);
        }

        using var moreTeams = Build("MaxTeamsPerPerson", "10000");
        Assert.Equal(10_000, moreTeams.Services.GetRequiredService<IOptions<TeamOptions>>().Value.MaxTeamsPerPerson);
    }

    private static IHost Build(string? setting, string? value)
    {
        var builder = Host.CreateApplicationBuilder();
        if (setting is not null)
        {
            builder.Configuration[$"Teams:{setting}"] = value;
        }

        builder.AddTeams();
        return builder.Build();
    }
}
