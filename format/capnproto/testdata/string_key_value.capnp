@0xde8e7c9e337749e1;

struct StringKeyValuePair
{
    key @0 : Text;
    value @1 : Text;
}
