namespace DepMap.LoadTest;

internal sealed record Args(Uri Url, int Services, int BatchSpans, int Connections, int Seconds, string? Database, int Rate)
{
    public static Args Parse(string[] args)
    {
        string? Value(string name, string? fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }
        var url = Value("--url", "http://127.0.0.1:4318")!;
        return new Args(
            new Uri(url.EndsWith('/') ? url : url + "/"),
            int.Parse(Value("--services", "50")!),
            int.Parse(Value("--batch", "512")!),
            int.Parse(Value("--connections", "8")!),
            Math.Clamp(int.Parse(Value("--seconds", "10")!), 1, 120),
            Value("--db", null),
            int.Parse(Value("--rate", "0")!));
    }
}
