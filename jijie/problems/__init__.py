"""Problems raised from the front line, answered level by level against a clock."""
