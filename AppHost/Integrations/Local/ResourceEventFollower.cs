using System.Collections.Concurrent;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace Aspire.Hosting;

/// <summary>
/// Follows Aspire's resource notifications on a background task, from just before the application starts its
/// resources until the AppHost's services are disposed. Aspire raises no event per state change; this is the one
/// place that turns the notification stream into calls.
/// </summary>
internal abstract class ResourceEventFollower(ResourceNotificationService notifications) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Task, bool> _background = new();
    private Task _following = Task.CompletedTask;

    /// <summary>Aspire's resource notifications.</summary>
    protected ResourceNotificationService Notifications { get; } = notifications;

    /// <summary>Registers <typeparamref name="TFollower"/> once, and starts it on <see cref="BeforeStartEvent"/>.</summary>
    public static void AddTo<TFollower>(IDistributedApplicationBuilder builder)
        where TFollower : ResourceEventFollower
    {
        if (builder.Services.Any(s => s.ServiceType == typeof(TFollower)))
        {
            return;
        }

        builder.Services.AddSingleton<TFollower>();
        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            @event.Services.GetRequiredService<TFollower>().Start();
            return Task.CompletedTask;
        });
    }

    /// <summary>Starts following the notifications on a task of its own; once.</summary>
    internal void Start() => _following = Task.Run(() => FollowAsync(_stopping.Token), CancellationToken.None);

    /// <summary>Called for each change, one at a time, in order.</summary>
    protected abstract Task OnChangeAsync(ResourceEvent change, CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> beside the follow (a retry after a delay, a restart), cancelled when the follower
    /// stops. Disposing waits for it to end: nothing the follower started is still calling out once it is disposed.
    /// </summary>
    protected void RunInBackground(Func<CancellationToken, Task> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var task = work(_stopping.Token);
        _background.TryAdd(task, true);
        _ = task.ContinueWith(ended => _background.TryRemove(ended, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _following;
        // Work that ends may start more before it sees the stop; its failures are its own to report.
        while (!_background.IsEmpty)
        {
            await Task.WhenAll(_background.Keys).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }

    private async Task FollowAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var change in Notifications.WatchAsync(cancellationToken))
            {
                await OnChangeAsync(change, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
