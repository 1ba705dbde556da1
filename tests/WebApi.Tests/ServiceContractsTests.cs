using System.ComponentModel.DataAnnotations;
using WebApi.Scans;
using WebApi.Services;

namespace WebApi.Tests;

public sealed class ServiceContractsTests
{
    [Fact]
    public void A_null_environment_is_invalid_in_a_create_and_an_update()
    {
        // The fuzz run's "environments": [null, null] once reached the handler and answered 500.
        ServiceEnvironmentRequest?[] environments = [null];
        var create = new CreateServiceRequest(Guid.NewGuid(), "Checkout", "checkout", null, null, null, environments!, null);
        var update = new UpdateServiceRequest("Checkout", null, null, null, environments!, CriticalityTier.B);

        Assert.Equal(["Environments"], Invalid(create));
        Assert.Equal(["Environments"], Invalid(update));
    }

    [Fact]
    public void No_environments_and_real_ones_are_valid()
    {
        Assert.Empty(Invalid(new CreateServiceRequest(Guid.NewGuid(), "Checkout", "checkout", null, null, null, null, null)));
        Assert.Empty(Invalid(new CreateServiceRequest(Guid.NewGuid(), "Checkout", "checkout", null, null, null,
            [new ServiceEnvironmentRequest("production", "https://checkout.example.com", null)], null)));
    }

    [Fact]
    public void Two_environments_of_one_name_are_invalid_in_a_create_and_an_update()
    {
        ServiceEnvironmentRequest[] environments =
        [
            new("production", "https://a.example.com", null),
            new("production", "https://b.example.com", null),
        ];
        var create = new CreateServiceRequest(Guid.NewGuid(), "Checkout", "checkout", null, null, null, environments, null);
        var update = new UpdateServiceRequest("Checkout", null, null, null, environments, CriticalityTier.B);

        Assert.Equal(["Environments"], Invalid(create));
        Assert.Equal(["Environments"], Invalid(update));
        Assert.Empty(Invalid(update with { Environments = [environments[0], environments[1] with { Name = "staging" }] }));
    }

    [Fact]
    public void A_url_that_fits_only_before_it_is_escaped_is_invalid()
    {
        // Scans store the escaped spelling: 1,000 "é" are 1,000 characters as given and 6,000 once escaped.
        var escapedTooLong = "https://checkout.example.com/" + new string('é', 1000);
        var fits = "https://checkout.example.com/" + new string('é', 300);
        ServiceEnvironmentRequest[] environments = [new("production", escapedTooLong, null)];

        Assert.Equal(["BaseUrl"], Invalid(environments[0]));
        Assert.Equal(["Url"], Invalid(new QueueScanRequest(null, escapedTooLong, null)));
        Assert.Empty(Invalid(new ServiceEnvironmentRequest("production", fits, null)));
    }

    private static List<string> Invalid(object request)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(request, new ValidationContext(request), results, validateAllProperties: true);
        return [.. results.SelectMany(result => result.MemberNames)];
    }
}
