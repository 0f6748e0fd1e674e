namespace Microsoft.ML.Attention.Tensors;

/// <summary>
/// Bilinear sampling of images at normalised grid points, as PyTorch's <c>grid_sample</c> (mode bilinear): grid point
/// (x, y) ∈ [−1, 1]² names the image's left/top edge at −1 and right/bottom edge at +1, at pixel centres when
/// <c>alignCorners</c> is false and at the corner pixels' centres when it is true. Outside the image, zeros padding
/// reads 0 and border padding clamps the coordinate to the edge (with a zero gradient there, as PyTorch).
/// </summary>
internal static class GridSampler
{
    /// <summary>Pixel coordinate of normalised <paramref name="v"/> along an axis of <paramref name="size"/> pixels, and d(pixel)/d(v).</summary>
    internal static (float Pixel, float Scale) Unnormalize(float v, int size, bool alignCorners, bool border)
    {
        float pixel, scale;
        if (alignCorners)
        {
            scale = (size - 1) * 0.5f;
            pixel = (v + 1f) * scale;
        }
        else
        {
            scale = size * 0.5f;
            pixel = ((v + 1f) * size - 1f) * 0.5f;
        }

        if (border)
        {
            if (pixel <= 0f)
            {
                return (0f, 0f);
            }

            if (pixel >= size - 1)
            {
                return (size - 1, 0f);
            }
        }

        return (pixel, scale);
    }

    /// <summary>y [N, C, Ho, Wo] sampled from x [N, C, H, W] at grid [N, Ho, Wo, 2] for image <paramref name="n"/>.</summary>
    internal static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> grid, Span<float> y, int n, int c, int h, int w, int points, bool alignCorners, bool border)
    {
        int plane = h * w;
        for (int q = 0; q < points; q++)
        {
            Corners k = Locate(grid[(n * points + q) * 2], grid[(n * points + q) * 2 + 1], h, w, alignCorners, border);
            for (int ch = 0; ch < c; ch++)
            {
                ReadOnlySpan<float> img = x.Slice((n * c + ch) * plane, plane);
                y[(n * c + ch) * points + q] = k.Sample(img, w);
            }
        }
    }

    /// <summary>Gradients of x (accumulated) and of the grid (written) for image <paramref name="n"/>; either may be empty.</summary>
    internal static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> grid, ReadOnlySpan<float> g, Span<float> gx, Span<float> gGrid, int n, int c, int h, int w, int points, bool alignCorners, bool border)
    {
        int plane = h * w;
        for (int q = 0; q < points; q++)
        {
            Corners k = Locate(grid[(n * points + q) * 2], grid[(n * points + q) * 2 + 1], h, w, alignCorners, border);
            float dx = 0f, dy = 0f;
            for (int ch = 0; ch < c; ch++)
            {
                float go = g[(n * c + ch) * points + q];
                if (!gx.IsEmpty)
                {
                    k.Scatter(gx.Slice((n * c + ch) * plane, plane), w, go);
                }

                if (!gGrid.IsEmpty)
                {
                    (float px, float py) = k.PixelGradient(x.Slice((n * c + ch) * plane, plane), w);
                    dx += go * px;
                    dy += go * py;
                }
            }

            if (!gGrid.IsEmpty)
            {
                gGrid[(n * points + q) * 2] = dx * k.ScaleX;
                gGrid[(n * points + q) * 2 + 1] = dy * k.ScaleY;
            }
        }
    }

    private static Corners Locate(float gxv, float gyv, int h, int w, bool alignCorners, bool border)
    {
        (float ix, float sx) = Unnormalize(gxv, w, alignCorners, border);
        (float iy, float sy) = Unnormalize(gyv, h, alignCorners, border);
        float fx = MathF.Floor(ix), fy = MathF.Floor(iy);
        return new Corners((int)fx, (int)fy, ix - fx, iy - fy, sx, sy, h, w);
    }

    /// <summary>The four pixels around a sample point, their bilinear weights and which of them lie inside the image.</summary>
    private readonly struct Corners
    {
        private readonly int _x0, _y0;
        private readonly float _tx, _ty;
        private readonly bool _x0In, _x1In, _y0In, _y1In;

        internal Corners(int x0, int y0, float tx, float ty, float scaleX, float scaleY, int h, int w)
        {
            _x0 = x0;
            _y0 = y0;
            _tx = tx;
            _ty = ty;
            ScaleX = scaleX;
            ScaleY = scaleY;
            _x0In = (uint)x0 < (uint)w;
            _x1In = (uint)(x0 + 1) < (uint)w;
            _y0In = (uint)y0 < (uint)h;
            _y1In = (uint)(y0 + 1) < (uint)h;
        }

        internal float ScaleX { get; }

        internal float ScaleY { get; }

        internal float Sample(ReadOnlySpan<float> img, int w)
        {
            Read(img, w, out float v00, out float v01, out float v10, out float v11);
            return (v00 * (1f - _tx) + v01 * _tx) * (1f - _ty) + (v10 * (1f - _tx) + v11 * _tx) * _ty;
        }

        internal void Scatter(Span<float> img, int w, float go)
        {
            if (_y0In)
            {
                if (_x0In)
                {
                    img[_y0 * w + _x0] += go * (1f - _tx) * (1f - _ty);
                }

                if (_x1In)
                {
                    img[_y0 * w + _x0 + 1] += go * _tx * (1f - _ty);
                }
            }

            if (_y1In)
            {
                if (_x0In)
                {
                    img[(_y0 + 1) * w + _x0] += go * (1f - _tx) * _ty;
                }

                if (_x1In)
                {
                    img[(_y0 + 1) * w + _x0 + 1] += go * _tx * _ty;
                }
            }
        }

        /// <summary>d(sample)/d(pixel x) and d(sample)/d(pixel y).</summary>
        internal (float Dx, float Dy) PixelGradient(ReadOnlySpan<float> img, int w)
        {
            Read(img, w, out float v00, out float v01, out float v10, out float v11);
            return ((v01 - v00) * (1f - _ty) + (v11 - v10) * _ty, (v10 - v00) * (1f - _tx) + (v11 - v01) * _tx);
        }

        private void Read(ReadOnlySpan<float> img, int w, out float v00, out float v01, out float v10, out float v11)
        {
            v00 = _y0In && _x0In ? img[_y0 * w + _x0] : 0f;
            v01 = _y0In && _x1In ? img[_y0 * w + _x0 + 1] : 0f;
            v10 = _y1In && _x0In ? img[(_y0 + 1) * w + _x0] : 0f;
            v11 = _y1In && _x1In ? img[(_y0 + 1) * w + _x0 + 1] : 0f;
        }
    }
}
