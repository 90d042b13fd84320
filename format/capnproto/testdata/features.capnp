# Enums, defaults, unions, groups and nested structs.
@0xefa57c914f4f898f;

enum Color {
  red @0;
  green @1;
  blue @2;
}

struct Event {
  id @0 :UInt32 = 7;
  name @1 :Text = "unnamed";
  color @2 :Color = blue;
  ratio @3 :Float64 = 0.5;
  flag @4 :Bool = true;
  colors @5 :List(Color);
  where :group {
    city @6 :Text;
    zip @7 :UInt32;
  }
  inner @8 :Inner;
  union {
    count @9 :Int64;
    label @10 :Text;
  }
  items @11 :List(Inner);
  struct Inner {
    x @0 :Int16 = -1;
    tags @1 :List(Text);
  }
}
