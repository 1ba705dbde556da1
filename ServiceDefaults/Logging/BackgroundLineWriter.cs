using System.Threading.Channels;

namespace ServiceDefaults.Logging;

/// <summary>
/// Log lines written by one background task: loggers only enqueue, and wait rather than drop lines when the queue
/// is full, as the console logger does. The writer waits <see cref="FlushDelay"/> after the first line of a batch
/// and then writes and flushes all queued lines at once: under load one write call carries many lines (a call per
/// line cost a busy service more CPU than serving the request did). A crash loses what was still queued.
/// </summary>
internal abstract class BackgroundLineWriter : IDisposable
{
    private static readonly TimeSpan FlushDelay = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    private readonly Channel<byte[]> lines = Channel.CreateBounded<byte[]>(
        new BoundedChannelOptions(10_000) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private Task writer = Task.CompletedTask;

    public void Enqueue(byte[] line)
    {
        if (lines.Writer.TryWrite(line))
        {
            return;
        }

        try
        {
            lines.Writer.WriteAsync(line).AsTask().GetAwaiter().GetResult();
        }
        catch (ChannelClosedException)
        {
            // Logged after shutdown began: nothing will write it any more.
        }
    }

    /// <summary>Writes every queued line, then closes the destination.</summary>
    public void Dispose()
    {
        lines.Writer.TryComplete();
        writer.Wait(DrainTimeout);
        CloseDestination();
    }

    /// <summary>Called by the derived constructor once the destination is ready.</summary>
    protected void StartWriting() => writer = Task.Run(WriteLinesAsync);

    protected abstract void Write(byte[] line);

    protected abstract void Flush();

    /// <summary>The destination failed (a full disk, a closed pipe); the service goes on and so does this writer.</summary>
    protected abstract void OnWriteFailed(IOException exception);

    protected abstract void CloseDestination();

    private async Task WriteLinesAsync()
    {
        while (await lines.Reader.WaitToReadAsync())
        {
            // Let the lines of the next few milliseconds join this one: a wake-up per line is what a busy service
            // cannot afford.
            await Task.Delay(FlushDelay);
            try
            {
                while (lines.Reader.TryRead(out var line))
                {
                    Write(line);
                }

                Flush();
            }
            catch (IOException exception)
            {
                OnWriteFailed(exception);
            }
        }
    }
}
