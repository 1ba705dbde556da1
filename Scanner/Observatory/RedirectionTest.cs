namespace Scanner.Observatory;

public sealed class RedirectionOutput(string expectation) : ObservatoryOutput(expectation)
{
    public override string Name => "redirection";

    public string? Destination { get; set; }

    public bool Redirects { get; set; } = true;

    public IReadOnlyList<string> Route { get; set; } = [];

    public int? StatusCode { get; set; }

    public override string? Data => Serialize(new { destination = Destination, redirects = Redirects, route = Route, statusCode = StatusCode });
}

/// <summary>src/analyzer/tests/redirection.js. It reads the http session's chain (which Observatory also stores as the https chain).</summary>
public static class RedirectionTest
{
    public static RedirectionOutput Run(ObservatoryRequests requests, string expectation = Expectation.RedirectionToHttps)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var output = new RedirectionOutput(expectation);
        var response = requests.Responses.Http;
        var route = requests.Responses.HttpRedirects;

        if (route.Count > 0)
        {
            output.Destination = route[^1].Url.AbsoluteUri;
        }
        else if (requests.Responses.HttpsRedirects.Count > 0)
        {
            output.Destination = requests.Responses.HttpsRedirects[^1].Url.AbsoluteUri;
        }

        output.StatusCode = response?.Status;

        if (response is null)
        {
            output.Result = Expectation.RedirectionNotNeededNoHttp;
        }
        else if (!response.Verified)
        {
            output.Result = Expectation.RedirectionInvalidCert;
        }
        else
        {
            output.Route = [.. route.Select(hop => hop.Url.AbsoluteUri)];

            // Every() of an empty chain is true, as in Observatory.
            if (route.All(hop => requests.PreloadList.Find(hop.Url.Host) is not null))
            {
                output.Result = Expectation.RedirectionAllRedirectsPreloaded;
            }
            else if (route.Count == 1)
            {
                // No redirection: the site stayed on http.
                output.Result = Expectation.RedirectionMissing;
                output.Redirects = false;
            }
            else if (route[^1].Url.Scheme != Uri.UriSchemeHttps)
            {
                output.Result = Expectation.RedirectionNotToHttps;
            }
            else if (route[1].Url.Scheme == Uri.UriSchemeHttp)
            {
                // http should go to https first, never to another http location.
                output.Result = Expectation.RedirectionNotToHttpsOnInitialRedirection;
                output.StatusCode = route[^1].Status;
            }
            else if (route[0].Url.Scheme == Uri.UriSchemeHttp && route[1].Url.Scheme == Uri.UriSchemeHttps && route[0].Url.Host != route[1].Url.Host)
            {
                output.Result = Expectation.RedirectionOffHostFromHttp;
            }
            else
            {
                output.Result = Expectation.RedirectionToHttps;
            }
        }

        // Defensive limits against redirect loops and other shenanigans.
        if (System.Text.Json.JsonSerializer.Serialize(output.Route).Length > 8192)
        {
            output.Route = [];
        }

        if (output.StatusCode is { } status && status.ToString(System.Globalization.CultureInfo.InvariantCulture).Length >= 5)
        {
            output.StatusCode = null;
        }

        output.Pass = output.Result is Expectation.RedirectionNotNeededNoHttp or Expectation.RedirectionAllRedirectsPreloaded
            || output.Result == expectation;
        return output;
    }
}
