using System.ComponentModel.DataAnnotations;
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

    private static List<string> Invalid(object request)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(request, new ValidationContext(request), results, validateAllProperties: true);
        return [.. results.SelectMany(result => result.MemberNames)];
    }
}
