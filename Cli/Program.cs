using Cli;

return await ReadinessCli.RunAsync(args, CliConsole.System, CancellationToken.None);
