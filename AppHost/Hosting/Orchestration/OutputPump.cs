namespace ReadinessAspire.Hosting.Orchestration;

/// <summary>
/// Copies a child's output stream to the sink as raw bytes, a batch of whole lines per read. A busy service prints
/// a log line per request; decoding and handing over each line on its own cost the AppHost more CPU than the
/// service spent producing it, and the AppHost shares the machine with it.
/// </summary>
internal static class OutputPump
{
    private const int BufferSize = 64 * 1024;

    public static async Task RunAsync(Stream stream, string instance, OutputSink sink)
    {
        var buffer = new byte[BufferSize];
        var filled = 0;
        while (true)
        {
            int read;
            try
            {
                read = await stream.ReadAsync(buffer.AsMemory(filled));
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                read = 0;
            }

            if (read == 0)
            {
                if (filled > 0)
                {
                    sink.WriteLines(instance, [.. buffer.AsSpan(0, filled), (byte)'\n']);
                }

                return;
            }

            filled += read;
            var complete = buffer.AsSpan(0, filled).LastIndexOf((byte)'\n') + 1;
            if (complete == 0 && filled == buffer.Length)
            {
                // One line longer than the buffer: it goes out in pieces rather than stalling the pipe.
                sink.WriteLines(instance, [.. buffer, (byte)'\n']);
                filled = 0;
                continue;
            }

            if (complete > 0)
            {
                // Only whole lines, so the AppHost's own lines never land inside a child's.
                sink.WriteLines(instance, buffer.AsSpan(0, complete));
                buffer.AsSpan(complete, filled - complete).CopyTo(buffer);
                filled -= complete;
            }
        }
    }
}
