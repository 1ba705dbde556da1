namespace Scanner.Tests.Sites;

/// <summary>Runs one <see cref="SiteDefinition"/> for the tests of a class (<c>IClassFixture&lt;T&gt;</c>).</summary>
public abstract class NginxSiteFixture(SiteDefinition definition) : IAsyncLifetime
{
    private NginxSite? site;

    public NginxSite Site => site ?? throw new InvalidOperationException("The site has not started.");

    public async Task InitializeAsync() => site = await NginxSite.StartAsync(definition);

    public async Task DisposeAsync()
    {
        if (site is not null)
        {
            await site.DisposeAsync();
        }
    }
}

/// <summary>The hardened reference site (<see cref="TestSites.Hardened"/>).</summary>
public sealed class HardenedSiteFixture() : NginxSiteFixture(TestSites.Hardened);

/// <summary>The weak reference site (<see cref="TestSites.Weak"/>).</summary>
public sealed class WeakSiteFixture() : NginxSiteFixture(TestSites.Weak);
