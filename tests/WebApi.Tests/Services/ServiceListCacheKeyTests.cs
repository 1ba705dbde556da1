using WebApi.Services;

namespace WebApi.Tests.Services;

public sealed class ServiceListCacheKeyTests
{
    private static readonly DateOnly Today = new(2026, 12, 7);

    private static string KeyOf(ServiceListQuery query, string userId = "user") => ServiceEndpoints.ListCacheKey(1, Today, userId, query);

    [Fact]
    public void A_colon_in_the_tag_or_the_search_does_not_make_two_lists_share_a_key()
    {
        // Tagged "a" and named "b:c foo": ?tag=a&search=b:c finds it, ?tag=a:b&search=c does not.
        Assert.NotEqual(KeyOf(new() { Tag = "a:b", Search = "c" }), KeyOf(new() { Tag = "a", Search = "b:c" }));
        Assert.NotEqual(KeyOf(new() { Tag = "a:", Search = "b" }), KeyOf(new() { Tag = "a", Search = ":b" }));
    }

    [Fact]
    public void A_colon_in_the_user_id_does_not_make_two_users_share_a_key()
    {
        // Identity's ids hold no ':', but the key does not rely on it: the colon moves between the user and the tag.
        Assert.NotEqual(KeyOf(new() { Tag = "x" }, userId: "u:"), KeyOf(new() { Tag = ":x" }, userId: "u"));
    }

    [Fact]
    public void The_same_list_asked_again_has_the_same_key()
    {
        Assert.Equal(KeyOf(new() { Tag = "a:b", Search = "c", Page = 2 }), KeyOf(new() { Tag = "a:b", Search = "c", Page = 2 }));
    }

    [Fact]
    public void The_longest_tag_and_search_in_a_non_Latin_script_stay_within_HybridCaches_key_limit()
    {
        var key = KeyOf(new() { Tag = new string('語', 50), Search = new string('語', 100), TeamId = Guid.NewGuid(), Sort = "-updated", Page = 100_000, PageSize = 100 },
            userId: Guid.NewGuid().ToString());

        Assert.True(key.Length <= 1024, $"{key.Length} characters");
    }
}
