/*
 * main.c - placeholder entry point until the core lands.
 */
int main(void)
{
    return 0;
}
