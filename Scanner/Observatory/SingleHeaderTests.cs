namespace Scanner.Observatory;

/// <summary>An output whose data is one header value.</summary>
public abstract class HeaderValueOutput(string expectation) : ObservatoryOutput(expectation)
{
    public string? Value { get; set; }

    public override string? Data => Value is null ? null : Serialize(Value);
}

public sealed class CorsOutput(string expectation) : HeaderValueOutput(expectation)
{
    public override string Name => "cross-origin-resource-sharing";
}

public sealed class CrossOriginResourcePolicyOutput(string expectation) : HeaderValueOutput(expectation)
{
    public override string Name => "cross-origin-resource-policy";

    public bool Http { get; set; }

    public bool Meta { get; set; }
}

public sealed class ReferrerPolicyOutput(string expectation) : HeaderValueOutput(expectation)
{
    public override string Name => "referrer-policy";

    public bool Http { get; set; }

    public bool Meta { get; set; }
}

public sealed class XContentTypeOptionsOutput(string expectation) : HeaderValueOutput(expectation)
{
    public override string Name => "x-content-type-options";
}

public sealed class XFrameOptionsOutput(string expectation) : HeaderValueOutput(expectation)
{
    public override string Name => "x-frame-options";
}

/// <summary>src/analyzer/tests/cors.js.</summary>
public static class CorsTest
{
    public static CorsOutput Run(ObservatoryRequests requests, string expectation = Expectation.CrossOriginResourceSharingNotImplemented)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var output = new CorsOutput(expectation) { Result = Expectation.CrossOriginResourceSharingNotImplemented };
        // retriever.js sends the preflight with the session's second axios client, which keeps axios's default
        // validateStatus (2xx only): any other answer rejects, session.options() returns null and responses.cors is null.
        var cors = requests.Responses.Cors is { Status: >= 200 and < 300 } preflight ? preflight : null;
        var allowOrigin = Headers.First(cors, "access-control-allow-origin");
        var origin = requests.CorsRequestOrigin;
        var allowCredentials = Headers.First(cors, "access-control-allow-credentials");

        if (cors is not null && !string.IsNullOrEmpty(allowOrigin))
        {
            output.Value = Headers.Prefix(allowOrigin, 256).Trim().ToLowerInvariant();
            if (output.Value == "*")
            {
                output.Result = Expectation.CrossOriginResourceSharingImplementedWithPublicAccess;
            }
            else if (!string.IsNullOrEmpty(origin) && origin == allowOrigin && allowCredentials?.ToLowerInvariant().Trim() == "true")
            {
                output.Result = Expectation.CrossOriginResourceSharingImplementedWithUniversalAccess;
            }
            else
            {
                output.Result = Expectation.CrossOriginResourceSharingImplementedWithRestrictedAccess;
            }
        }

        output.Pass = output.Result is Expectation.CrossOriginResourceSharingImplementedWithPublicAccess
                or Expectation.CrossOriginResourceSharingImplementedWithRestrictedAccess
            || output.Result == expectation;
        return output;
    }
}

/// <summary>src/analyzer/tests/cross-origin-resource-policy.js.</summary>
public static class CrossOriginResourcePolicyTest
{
    public static CrossOriginResourcePolicyOutput Run(ObservatoryRequests requests, string expectation = Expectation.CrossOriginResourcePolicyImplementedWithSameSite)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var output = new CrossOriginResourcePolicyOutput(expectation) { Result = Expectation.CrossOriginResourcePolicyNotImplemented };
        var response = requests.Responses.Auto;
        if (response is null)
        {
            return output;
        }

        var header = Headers.First(response, "cross-origin-resource-policy");

        // Observatory also looks for a meta tag, but its parser never records one, so the header is all there is.
        var equiv = requests.HttpEquiv.GetValueOrDefault("cross-origin-resource-policy");
        output.Http = !string.IsNullOrEmpty(header);
        output.Meta = equiv is { Count: > 0 };

        string? policy = null;
        if (output.Http)
        {
            policy = Headers.Prefix(header!, 256).Trim().ToLowerInvariant();
        }
        else if (equiv is [.., var last])
        {
            policy = Headers.Prefix(last, 256).Trim().ToLowerInvariant();
        }

        if (!string.IsNullOrEmpty(policy))
        {
            output.Value = policy;
            output.Result = policy switch
            {
                "same-site" => Expectation.CrossOriginResourcePolicyImplementedWithSameSite,
                "same-origin" => Expectation.CrossOriginResourcePolicyImplementedWithSameOrigin,
                "cross-origin" => Expectation.CrossOriginResourcePolicyImplementedWithCrossOrigin,
                _ => Expectation.CrossOriginResourcePolicyHeaderInvalid,
            };
        }

        output.Pass = output.Result is Expectation.CrossOriginResourcePolicyNotImplemented
                or Expectation.CrossOriginResourcePolicyImplementedWithSameSite
                or Expectation.CrossOriginResourcePolicyImplementedWithSameOrigin
                or Expectation.CrossOriginResourcePolicyImplementedWithCrossOrigin
            || output.Result == expectation;
        return output;
    }
}

/// <summary>src/analyzer/tests/referrer-policy.js.</summary>
public static class ReferrerPolicyTest
{
    private static readonly string[] Goodness = ["no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"];
    private static readonly string[] Badness = ["origin", "origin-when-cross-origin", "unsafe-url", "no-referrer-when-downgrade"];

    public static ReferrerPolicyOutput Run(ObservatoryRequests requests, string expectation = Expectation.ReferrerPolicyPrivate)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var output = new ReferrerPolicyOutput(expectation);
        var response = requests.Responses.Auto;
        if (response is null)
        {
            output.Result = Expectation.ReferrerPolicyNotImplemented;
            return output;
        }

        var httpHeaders = Headers.All(response, HttpEquivParser.ReferrerPolicy);
        var equivHeaders = requests.HttpEquiv.GetValueOrDefault(HttpEquivParser.ReferrerPolicy) ?? [];
        output.Http = httpHeaders.Count > 0;
        output.Meta = equivHeaders.Count > 0;

        if (!output.Http && !output.Meta)
        {
            output.Result = Expectation.ReferrerPolicyNotImplemented;
            output.Pass = true;
            return output;
        }

        // The meta tag comes after the header, so its policy wins: the last valid policy counts.
        output.Value = string.Join(", ", httpHeaders.Concat(equivHeaders));
        var policy = output.Value.Split(',')
            .Select(entry => entry.Trim().ToLowerInvariant())
            .LastOrDefault(entry => Goodness.Contains(entry) || Badness.Contains(entry)) ?? "";

        output.Result = Goodness.Contains(policy) ? Expectation.ReferrerPolicyPrivate
            : Badness.Contains(policy) ? Expectation.ReferrerPolicyUnsafe
            : Expectation.ReferrerPolicyHeaderInvalid;
        output.Pass = output.Result is Expectation.ReferrerPolicyPrivate or Expectation.ReferrerPolicyNotImplemented;
        return output;
    }
}

/// <summary>src/analyzer/tests/x-content-type-options.js.</summary>
public static class XContentTypeOptionsTest
{
    public static XContentTypeOptionsOutput Run(ObservatoryRequests requests, string expectation = Expectation.XContentTypeOptionsNosniff)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var output = new XContentTypeOptionsOutput(expectation);
        var response = requests.Responses.Auto;
        if (response is null)
        {
            output.Result = Expectation.XContentTypeOptionsNotImplemented;
            return output;
        }

        if (Headers.First(response, "x-content-type-options") is { Length: > 0 } header)
        {
            output.Value = Headers.Prefix(header, 256);
            output.Result = output.Value.Trim().Equals("nosniff", StringComparison.OrdinalIgnoreCase)
                ? Expectation.XContentTypeOptionsNosniff
                : Expectation.XContentTypeOptionsHeaderInvalid;
        }
        else
        {
            output.Result = Expectation.XContentTypeOptionsNotImplemented;
        }

        output.Pass = output.Result == expectation;
        return output;
    }
}

/// <summary>src/analyzer/tests/x-frame-options.js.</summary>
public static class XFrameOptionsTest
{
    public static XFrameOptionsOutput Run(ObservatoryRequests requests, string expectation = Expectation.XFrameOptionsSameoriginOrDeny)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var output = new XFrameOptionsOutput(expectation);
        var response = requests.Responses.Auto;
        if (response is null)
        {
            output.Result = Expectation.XFrameOptionsNotImplemented;
            return output;
        }

        if (Headers.First(response, "x-frame-options") is { Length: > 0 } header)
        {
            output.Value = Headers.Prefix(header, 1024);
            var xfo = output.Value.Trim().ToLowerInvariant();
            output.Result = xfo is "deny" or "sameorigin" ? Expectation.XFrameOptionsSameoriginOrDeny
                : xfo.StartsWith("allow-from", StringComparison.Ordinal) ? Expectation.XFrameOptionsAllowFromOrigin
                : Expectation.XFrameOptionsHeaderInvalid;
        }
        else
        {
            output.Result = Expectation.XFrameOptionsNotImplemented;
        }

        // frame-ancestors makes X-Frame-Options unnecessary. Observatory reads it from the merged policy, meta tags included.
        if (CspTest.Run(requests).Policy?.ContainsKey("frame-ancestors") == true)
        {
            output.Result = Expectation.XFrameOptionsImplementedViaCsp;
        }

        output.Pass = output.Result is Expectation.XFrameOptionsAllowFromOrigin
                or Expectation.XFrameOptionsSameoriginOrDeny
                or Expectation.XFrameOptionsImplementedViaCsp
            || output.Result == expectation;
        return output;
    }
}
