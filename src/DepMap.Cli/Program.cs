// The `depmap` command line: see README.md.
Console.Error.WriteLine("usage: depmap graph FILE... [--format svg|dot|json|mermaid|zipkin] [-o OUT]");
return 2;
