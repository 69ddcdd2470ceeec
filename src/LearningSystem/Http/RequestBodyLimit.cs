namespace LearningSystem.Http;

/// <summary>
/// Refuses oversized bodies with 413 before anything reads them. Kestrel's own limit is not enough:
/// the JSON reader would turn its error into a bare 400, and the test server has no limit at all.
/// </summary>
public sealed class RequestBodyLimit(RequestDelegate next, long maxBytes)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        // An endpoint that streams its body (a FHIR batch) says how much it takes, and reads it as it arrives.
        if (context.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IRequestSizeLimitMetadata>() is { MaxRequestBodySize: { } streamed })
        {
            if (request.ContentLength > streamed)
            {
                throw new BadHttpRequestException($"The request body is larger than {streamed} bytes.", StatusCodes.Status413PayloadTooLarge);
            }

            if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } kestrel)
            {
                kestrel.MaxRequestBodySize = streamed;
            }

            await next(context);
            return;
        }

        if (request.ContentLength > maxBytes)
        {
            throw TooLarge();
        }

        if (request.ContentLength is null && (HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method)))
        {
            // A chunked body has no declared length: read at most one byte past the limit to find out.
            var buffer = new MemoryStream();
            await request.Body.CopyToAsync(new LimitedStream(buffer, maxBytes), context.RequestAborted);
            buffer.Position = 0;
            request.Body = buffer;
            context.Response.RegisterForDispose(buffer);
        }

        await next(context);
    }

    private BadHttpRequestException TooLarge() =>
        new($"The request body is larger than {maxBytes} bytes.", StatusCodes.Status413PayloadTooLarge);

    private sealed class LimitedStream(Stream inner, long max) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            if (inner.Length + count > max)
            {
                throw new BadHttpRequestException($"The request body is larger than {max} bytes.", StatusCodes.Status413PayloadTooLarge);
            }

            inner.Write(buffer, offset, count);
        }
    }
}
