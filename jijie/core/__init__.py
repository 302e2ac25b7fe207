"""What every app shares and none owns: the page shell, error pages, the task API, the
demo-data framework, and translation compiling. It imports no other Jijie app."""
