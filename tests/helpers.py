"""Small helpers shared by the tests."""

from html import unescape


def text(response) -> str:
    """The page as a person reads it: HTML entities (apostrophes, accents) decoded."""
    return unescape(response.content.decode())


def image_bytes(image_format: str = "PNG") -> bytes:
    """A real 1×1 image, as a logo upload would carry."""
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (1, 1), "white").save(buffer, format=image_format)
    return buffer.getvalue()
